import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256File } from '../../src/backups/write-backup-file.ts';
import { main } from '../../src/cli/index.ts';
import { listBackups } from '../../src/store/backups.ts';
import { captureIo } from '../helpers/io.ts';
import { adminUrl, createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { backupHarness, binDir, sql, tableFingerprint, withDatabase } from './harness.ts';

let db: TestDatabase;
let dbName: string;
const extraDatabases: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  dbName = new URL(db.url).pathname.slice(1);
  await sql(
    db.url,
    `CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, amount numeric(12,2));
     INSERT INTO items (name, amount) SELECT 'item ' || g, g * 1.25 FROM generate_series(1, 5000) g;
     CREATE TABLE notes (id serial PRIMARY KEY, body text);
     INSERT INTO notes (body) SELECT repeat('n', g % 50) FROM generate_series(1, 300) g;`,
  );
});

afterAll(async () => {
  for (const name of extraDatabases) await sql(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await db?.drop();
});

const target = (url: string, extra = '') => `  targets:\n    main: { postgres: "${url}"${extra} }\n`;

describe('postgres backups', () => {
  it('backs up, verifies, rehearses a restore, and restores into a new database with equal data', async () => {
    const h = await backupHarness(tempDir(), target(db.url));
    try {
      const outcome = await h.service.run('main');
      expect(outcome.detail).toMatch(/^sha256 ok, \d+ archive entries$/);
      expect(outcome.ok).toBe(true);
      const b = outcome.backup;
      expect(b.state).toBe('good');
      expect(b.file).toMatch(/\/backups\/main\/main-\d{8}T\d{6}Z\.dump$/);
      expect(fs.statSync(b.file).mode & 0o777).toBe(0o600);
      expect(fs.statSync(path.dirname(b.file)).mode & 0o777).toBe(0o700);
      expect(b.serverVersion).toMatch(/^1\d\./);
      expect(fs.readdirSync(path.dirname(b.file)).filter((f) => f.endsWith('.partial'))).toEqual([]);

      const rehearsal = await h.service.verify(b.id, { restore: true });
      expect(rehearsal.ok).toBe(true);
      expect(rehearsal.detail).toMatch(
        /restored into .*: 2 tables \(public\.items 5000 rows, public\.notes 300 rows\)/,
      );
      expect(rehearsal.backup.restoreVerifiedAt).not.toBeNull();
      const scratch = await sql(adminUrl, "SELECT datname FROM pg_database WHERE datname LIKE 'warden_verify_%'");
      expect(scratch).toEqual([]);
      await h.close();

      const newdb = `${dbName}_restored`;
      extraDatabases.push(newdb);
      const io = captureIo();
      expect(await main(['backup', 'restore', String(b.id), '--to', newdb, '--config', h.configFile], io)).toBe(0);
      expect(io.stdout.at(-1)).toMatch(new RegExp(`^✓ restored #${b.id}: restored into .*/${newdb}: 2 tables`));
      const restoredUrl = withDatabase(db.url, newdb);
      expect(await tableFingerprint(restoredUrl, 'items')).toEqual(await tableFingerprint(db.url, 'items'));
      expect(await tableFingerprint(restoredUrl, 'notes')).toEqual(await tableFingerprint(db.url, 'notes'));

      const status = captureIo();
      expect(await main(['status', '--json', '--config', h.configFile], status)).toBe(0);
      const backups = (JSON.parse(status.stdout.join('\n')) as { backups: Array<Record<string, unknown>> }).backups;
      expect(backups[0]).toMatchObject({ target: 'main', id: b.id, state: 'good', restoreVerified: { id: b.id } });
    } finally {
      await h.close();
    }
  });

  it('refuses to restore over a non-empty database without --force, and backs it up first with --force', async () => {
    const h = await backupHarness(tempDir(), target(db.url));
    const { backup } = await h.service.run('main');
    await h.close();
    const existing = `${dbName}_busy`;
    extraDatabases.push(existing);
    await sql(adminUrl, `CREATE DATABASE "${existing}"`);
    await sql(withDatabase(db.url, existing), 'CREATE TABLE precious (id int); INSERT INTO precious VALUES (42);');

    const refused = captureIo();
    expect(
      await main(['backup', 'restore', String(backup.id), '--to', existing, '--config', h.configFile], refused),
    ).toBe(1);
    expect(refused.stderr).toEqual([
      `warden backup: ${existing} exists and is not empty; restore into a new name, or add --force (warden backs it up first)`,
    ]);
    expect(await sql(withDatabase(db.url, existing), 'SELECT id FROM precious')).toEqual([{ id: 42 }]);

    const forced = captureIo();
    const args = ['backup', 'restore', String(backup.id), '--to', existing, '--force', '--config', h.configFile];
    expect(await main(args, forced)).toBe(0);
    expect(forced.stdout[0]).toMatch(/^safety backup of .*: #\d+ .*\/main\.before-restore-\d{8}T\d{6}Z\.dump$/);
    expect(await tableFingerprint(withDatabase(db.url, existing), 'items')).toEqual(
      await tableFingerprint(db.url, 'items'),
    );

    const list = captureIo();
    expect(await main(['backup', 'list', '--json', '--config', h.configFile], list)).toBe(0);
    const rows = JSON.parse(list.stdout.join('\n')) as Array<{ target: string; state: string; label: string | null }>;
    expect(rows[0]).toMatchObject({ target: 'main.before-restore', state: 'good' });
    expect(rows[0]!.label).toContain(`into ${existing}`);
  });

  it('never calls a corrupted backup good, and raises backup-failed', async () => {
    const h = await backupHarness(tempDir(), target(db.url));
    try {
      const { backup } = await h.service.run('main');
      const bytes = fs.readFileSync(backup.file);
      const middle = Math.floor(bytes.length / 2);
      bytes[middle] = bytes[middle]! ^ 0xff;
      fs.writeFileSync(backup.file, bytes);
      const outcome = await h.service.verify(backup.id);
      expect(outcome.ok).toBe(false);
      expect(outcome.backup.state).toBe('failed');
      expect(outcome.detail).toContain('checksum mismatch');
      expect(await h.incident('backup-failed:main')).toMatchObject({ state: 'open' });

      // Even with a matching checksum, an archive pg_restore cannot read is not good.
      fs.writeFileSync(backup.file, 'not a dump');
      await h.store.db
        .updateTable('backups')
        .set({ sha256: await sha256File(backup.file) })
        .where('id', '=', backup.id)
        .execute();
      const unreadable = await h.service.verify(backup.id);
      expect(unreadable.ok).toBe(false);
      expect(unreadable.detail).toMatch(/^pg_restore exited with code 1: pg_restore: error: /);
      expect((await listBackups(h.store, 'main')).map((b) => b.state)).toEqual(['failed']);

      const io = captureIo();
      expect(
        await main(['backup', 'restore', String(backup.id), '--to', 'x_never', '--config', h.configFile], io),
      ).toBe(1);
      expect(io.stderr).toEqual([
        `warden backup: backup #${backup.id} is failed, not good; pick a good one from warden backup list`,
      ]);
    } finally {
      await h.close();
    }
  });

  it('says in one line that an old pg_dump cannot dump the server, and alerts backup-failed', async () => {
    const dir = tempDir();
    const env = binDir(dir, {
      pg_dump: 'if [ "$1" = --version ]; then echo "pg_dump (PostgreSQL) 14.9"; exit 0; fi; exec /usr/bin/pg_dump "$@"',
    });
    const h = await backupHarness(dir, target(db.url), { env });
    try {
      const outcome = await h.service.run('main');
      const [row] = await sql<{ v: string }>(db.url, "SELECT current_setting('server_version_num') AS v");
      const major = Math.floor(Number(row!.v) / 10000);
      expect(outcome.ok).toBe(false);
      expect(outcome.detail).toBe(
        `pg_dump 14 cannot dump a PostgreSQL ${major} server: install postgresql-client-${major}`,
      );
      expect(await h.incident('backup-failed:main')).toMatchObject({
        state: 'open',
        detail: `main: ${outcome.detail}`,
      });
      expect(await h.outboxFor('backup-failed:main')).toBe(1);
      expect(fs.readdirSync(path.join(dir, 'backups', 'main'))).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('refuses to start when the backups folder lacks the free space, naming the numbers', async () => {
    const dir = tempDir();
    const h = await backupHarness(dir, target(db.url, ', minFreeSpace: 1000TB'));
    try {
      const io = captureIo();
      expect(await main(['backup', 'run', 'main', '--config', h.configFile], io)).toBe(1);
      expect(io.stderr).toHaveLength(1);
      expect(io.stderr[0]).toMatch(
        new RegExp(
          `^✗ main #\\d+ failed: backups folder ${dir}/backups has \\S+ free, needs 1000TB \\(the larger of minFreeSpace 1000TB and 1\\.5 × the database size \\(\\S+\\)\\); free space or lower minFreeSpace$`,
        ),
      );
      expect(await h.incident('backup-failed:main')).toMatchObject({ state: 'open' });
      expect(await h.outboxFor('backup-failed:main')).toBe(1);
    } finally {
      await h.close();
    }
  });

  it('keeps the password out of argv, the environment, logs, the catalog and warden status --json', async () => {
    const dir = tempDir();
    const password = 'Sup3r-S3cret:pw\\x';
    const url = new URL(db.url);
    url.username = 'postgres';
    url.password = 'PLACEHOLDER';
    const configEnv = { DB_PASSWORD: encodeURIComponent(password) };
    const seen = path.join(dir, 'seen.txt');
    const wrap = (tool: string) =>
      `{ tr '\\0' ' ' < /proc/$$/cmdline; echo; env; [ -n "$PGPASSFILE" ] && stat -c 'passfile %a' "$PGPASSFILE"; } >> ${seen}; exec /usr/bin/${tool} "$@"`;
    const env = binDir(dir, { pg_dump: wrap('pg_dump'), pg_restore: wrap('pg_restore') });
    const h = await backupHarness(dir, target(url.toString().replace('PLACEHOLDER', '${DB_PASSWORD}')), {
      env,
      configEnv,
    });
    try {
      const outcome = await h.service.run('main');
      expect(outcome.ok).toBe(true);
      expect((await h.service.verify(outcome.backup.id, { restore: true })).ok).toBe(true);
      const recorded = fs.readFileSync(seen, 'utf8');
      expect(recorded).toContain('--format=custom');
      expect(recorded).toContain('passfile 600');
      expect(recorded).not.toContain(password);
      expect(recorded).not.toContain(encodeURIComponent(password));
      expect(recorded).not.toContain('PGPASSWORD');
      expect(fs.readdirSync('/tmp').filter((f) => f.startsWith('warden-pg-'))).toEqual([]);
      expect(JSON.stringify(h.logLines())).not.toContain('Sup3r');
      expect(JSON.stringify(await listBackups(h.store))).not.toContain('Sup3r');
      await h.close();
      const io = captureIo(configEnv);
      expect(await main(['status', '--json', '--config', h.configFile], io)).toBe(0);
      expect(io.stdout.join('\n')).not.toContain('Sup3r');
      const listed = captureIo(configEnv);
      expect(await main(['backup', 'list', '--config', h.configFile], listed)).toBe(0);
      expect(listed.stdout.join('\n')).not.toContain('Sup3r');
    } finally {
      await h.close();
    }
  });
});

describe('warden backup usage', () => {
  it.each([
    [['backup'], 'missing subcommand'],
    [['backup', 'verify'], 'verify needs one backup ID'],
    [['backup', 'restore', '3'], 'restore needs --to NAME'],
    [['backup', 'frobnicate'], 'unknown subcommand "frobnicate"'],
  ])('%j exits 64', async (args, message) => {
    const io = captureIo();
    expect(await main([...args, '--config', '/nonexistent.yaml'], io)).toBe(64);
    expect(io.stderr[0]).toContain(message);
  });
});
