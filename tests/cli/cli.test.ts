import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.ts';
import Database from 'better-sqlite3';
import { migrations } from '../../src/store/migrations/index.ts';
import { captureIo } from '../helpers/io.ts';
import { createTestDatabase } from '../helpers/postgres.ts';
import { tempDir } from '../helpers/temp-dir.ts';

function writeConfig(text: string): string {
  const file = path.join(tempDir(), 'warden.config.yaml');
  fs.writeFileSync(file, text);
  return file;
}

describe('warden cli', () => {
  it('prints the version', async () => {
    const io = captureIo();
    expect(await main(['--version'], io)).toBe(0);
    expect(io.stdout).toEqual([JSON.parse(fs.readFileSync('package.json', 'utf8')).version]);
  });

  it('lists the commands on --help and rejects an unknown one', async () => {
    const help = captureIo();
    expect(await main(['--help'], help)).toBe(0);
    expect(help.stdout.join('\n')).toMatch(/status \[--fleet\] \[--json\]/);
    const unknown = captureIo();
    expect(await main(['stauts'], unknown)).toBe(64);
    expect(unknown.stderr).toEqual(['warden: unknown command "stauts"; run warden --help for the list']);
  });

  it('check exits 78 and names a misspelled key', async () => {
    const io = captureIo();
    const file = writeConfig('servces:\n  api: {}\n');
    expect(await main(['check', '--config', file], io)).toBe(78);
    expect(io.stderr).toEqual([`${file}: servces: unknown key (check the spelling)`]);
  });

  it('takes the config from WARDEN_CONFIG', async () => {
    const io = captureIo({ WARDEN_CONFIG: '/nonexistent/w.yaml' });
    expect(await main(['status'], io)).toBe(78);
    expect(io.stderr[0]).toMatch(/^\/nonexistent\/w\.yaml: cannot read the config file/);
  });

  it('check prints a ✗ line naming host:port when the PostgreSQL store is unreachable, and exits 1', async () => {
    const dir = tempDir();
    const file = writeConfig(
      `store: { url: "postgres://warden:\${PGPASS}@127.0.0.1:1/warden" }\nlog: { file: ${dir}/logs/w.log }\nbackups: { dir: ${dir}/b }\n`,
    );
    const io = captureIo({ PGPASS: 'do-not-print-me' });
    expect(await main(['check', '--config', file], io)).toBe(1);
    const storeLine = io.stdout.find((l) => l.startsWith('✗ store:'));
    expect(storeLine).toMatch(
      /^✗ store: store 127\.0\.0\.1:1\/warden: cannot connect \(.*ECONNREFUSED.*\); check store\.url — fix: /,
    );
    expect(io.stdout.join('\n') + io.stderr.join('\n')).not.toContain('do-not-print-me');
    expect(io.stdout.join('\n')).not.toMatch(/\n\s+at /);
  });

  it('check passes with the sqlite store, dry-run alerts and no pm2-managed service', async () => {
    const dir = tempDir();
    const file = writeConfig(
      `store: { url: "sqlite:${dir}/data/w.db" }\nlog: { file: ${dir}/logs/w.log }\nbackups: { dir: ${dir}/b }\n`,
    );
    const io = captureIo();
    expect(await main(['check', '--config', file], io)).toBe(0);
    expect(io.stdout).toContain('✓ telegram: dry-run: TELEGRAM_BOT_TOKEN is not set, alerts go to the log');
    expect(io.stdout.every((l) => l.startsWith('✓'))).toBe(true);
  });

  it('status --json reads the store whether or not the daemon runs', async () => {
    const dir = tempDir();
    const file = writeConfig(
      `store: { url: "sqlite:${dir}/w.db" }\nservices:\n  api: { check: { tcp: { port: 3000 } } }\nbackups: { dir: ${dir}/b, targets: { main: { files: [${dir}] } } }\ndisk: { paths: [${dir}] }\n`,
    );
    const io = captureIo();
    expect(await main(['status', '--json', '--config', file], io)).toBe(0);
    const status = JSON.parse(io.stdout.join('\n')) as Record<string, unknown>;
    expect(status.daemon).toMatchObject({ state: 'never started', dryRun: true });
    expect(status.services).toEqual([
      { name: 'api', check: 'tcp', state: 'not checked yet', detail: null, checkedAt: null },
    ]);
    expect(status.backups).toEqual([
      {
        target: 'main',
        id: null,
        state: 'none yet',
        at: null,
        sizeBytes: null,
        label: null,
        error: null,
        restoreVerified: null,
      },
    ]);
    expect(status.disk).toEqual([expect.objectContaining({ path: dir, error: null })]);
  });

  it('a usage error exits 64 from every command, extra arguments included', async () => {
    const file = writeConfig('');
    for (const argv of [
      ['status', 'now'],
      ['incidents', 'open'],
      ['check', 'all'],
      ['ack'],
      ['alert', 'tset'],
      ['silence', 'api'],
      ['status', '--jsno'],
    ]) {
      const io = captureIo();
      expect(await main([...argv, '--config', file], io), argv.join(' ')).toBe(64);
      expect(io.stderr).toHaveLength(1);
    }
  });
});

describe('warden check only probes', () => {
  const known = Object.keys(migrations);

  it('creates no folder and no store file on a fresh install', async () => {
    const dir = tempDir();
    const file = writeConfig(
      `store: { url: "sqlite:${dir}/data/w.db" }\nlog: { file: ${dir}/logs/w.log }\nbackups: { dir: ${dir}/b }\n`,
    );
    const io = captureIo();
    expect(await main(['check', '--config', file], io)).toBe(0);
    expect(io.stdout).toContain(
      `✓ store: sqlite ${dir}/data/w.db: not created yet; warden run creates and migrates it`,
    );
    expect(io.stdout).toContain(`✓ log folder: ${dir}/logs does not exist yet; warden creates it in ${dir}`);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('says a SQLite store needs migrating and leaves it as it was', async () => {
    const dir = tempDir();
    const db = new Database(path.join(dir, 'w.db'));
    db.exec('CREATE TABLE kysely_migration (name varchar(255) PRIMARY KEY, timestamp varchar(255) NOT NULL)');
    db.prepare('INSERT INTO kysely_migration VALUES (?, ?)').run(known[0], new Date().toISOString());
    db.close();
    const file = writeConfig(
      `store: { url: "sqlite:${dir}/w.db" }\nlog: { file: ${dir}/w.log }\nbackups: { dir: ${dir} }\n`,
    );
    const io = captureIo();
    expect(await main(['check', '--config', file], io)).toBe(0);
    expect(io.stdout).toContain(
      `✓ store: sqlite ${dir}/w.db: needs migrating (${known.slice(1).join(', ')} pending); warden run applies them at start`,
    );
    const after = new Database(path.join(dir, 'w.db'), { readonly: true });
    const tables = after.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
    const ran = after.prepare('SELECT name FROM kysely_migration').all();
    after.close();
    expect(tables).toEqual([{ name: 'kysely_migration' }]);
    expect(ran).toEqual([{ name: known[0] }]);
  });

  it('fails on a store written by a newer warden', async () => {
    const dir = tempDir();
    const db = new Database(path.join(dir, 'w.db'));
    db.exec('CREATE TABLE kysely_migration (name varchar(255) PRIMARY KEY, timestamp varchar(255) NOT NULL)');
    for (const name of [...known, '999_future']) db.prepare('INSERT INTO kysely_migration VALUES (?, ?)').run(name, '');
    db.close();
    const file = writeConfig(
      `store: { url: "sqlite:${dir}/w.db" }\nlog: { file: ${dir}/w.log }\nbackups: { dir: ${dir} }\n`,
    );
    const io = captureIo();
    expect(await main(['check', '--config', file], io)).toBe(1);
    expect(io.stdout.find((l) => l.startsWith('✗ store:'))).toBe(
      `✗ store: sqlite ${dir}/w.db: written by a newer warden (unknown migrations 999_future) — fix: run the warden version that wrote this store, or point store.url at another one`,
    );
  });

  it('says an empty PostgreSQL store needs migrating and creates no table in it', async () => {
    const database = await createTestDatabase();
    try {
      const dir = tempDir();
      const file = writeConfig(
        `store: { url: "${database.url}" }\nlog: { file: ${dir}/w.log }\nbackups: { dir: ${dir} }\n`,
      );
      const io = captureIo();
      expect(await main(['check', '--config', file], io)).toBe(0);
      expect(io.stdout.find((l) => l.startsWith('✓ store:'))).toMatch(
        new RegExp(`: needs migrating \\(${known.join(', ')} pending\\)`),
      );
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      const tables = await client.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
      await client.end();
      expect(tables.rows).toEqual([]);
    } finally {
      await database.drop();
    }
  });
});
