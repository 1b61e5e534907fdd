import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.ts';
import { startFakeTelegram, type FakeTelegram } from '../fixtures/fake-telegram.ts';
import { captureIo } from '../helpers/io.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { startWarden } from '../helpers/warden-process.ts';

const password = 'PgLeak-7f3a9c21e5';
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

let fake: FakeTelegram | null = null;
let database: TestDatabase | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
  await database?.drop();
  database = null;
});

/** Polls a file the system under test writes; the wait ends on the file, not on a fixed sleep. */
async function waitForFile(file: string, timeoutMs = 60_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (fs.existsSync(file) && fs.readFileSync(file, 'utf8').endsWith('\n')) return fs.readFileSync(file, 'utf8');
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${file} never appeared`);
}

/** Every text of every table, each checked to be valid UTF-8 as stored. */
async function storedTexts(storeUrl: string): Promise<string[]> {
  if (storeUrl.startsWith('sqlite:')) {
    const file = storeUrl.slice('sqlite:'.length);
    const db = new Database(file, { readonly: true });
    try {
      const tables = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .all() as Array<{ name: string }>;
      const texts: string[] = [];
      for (const { name } of tables) {
        const columns = db.prepare(`PRAGMA table_info("${name}")`).all() as Array<{ name: string }>;
        for (const column of columns) {
          const rows = db
            .prepare(
              `SELECT CAST("${column.name}" AS BLOB) AS b FROM "${name}" WHERE typeof("${column.name}") = 'text'`,
            )
            .all() as Array<{ b: Buffer }>;
          // fatal: throws on invalid UTF-8, which SQLite would store without complaint
          for (const { b } of rows) texts.push(strictUtf8.decode(b));
        }
      }
      // the files themselves too, WAL included: nothing outside the tables may hold it either
      for (const suffix of ['', '-wal'])
        if (fs.existsSync(file + suffix)) texts.push(fs.readFileSync(file + suffix, 'latin1'));
      return texts;
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: storeUrl });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
    );
    const texts: string[] = [];
    for (const { table_name } of tables) {
      const { rows } = await client.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM "${table_name}" t`);
      texts.push(...rows.map((r) => r.row));
    }
    return texts;
  } finally {
    await client.end();
  }
}

describe.each(['sqlite', 'postgres'] as const)('hostile input through warden run (%s store)', (dialect) => {
  it('never runs an injected command, never leaks the planted password, and keeps 10,000 emoji intact', async () => {
    const dir = tempDir();
    fake = await startFakeTelegram({ chats: [42], rateLimits: {} });
    let storeUrl = `sqlite:${path.join(dir, 'warden.db')}`;
    if (dialect === 'postgres') {
      database = await createTestDatabase();
      storeUrl = database.url;
    }
    const pwned = path.join(dir, 'PWNED');
    const restarted = path.join(dir, 'restarted.txt');
    const config = path.join(dir, 'warden.config.yaml');
    // db: the password psql would complain with; emoji: 10,000 emoji after an OSC title sequence;
    // inject: an info incident (below the chat's minSeverity, so two alerts do not become a storm)
    const dbRun = `PGPASSWORD=\${PGPW} sh -c 'echo "psql: password authentication failed for $PGPASSWORD"; exit 2'`;
    const emojiRun = `printf '\\033]0;title\\007'; node -e 'process.stdout.write(String.fromCodePoint(0x1F600).repeat(10000))'; exit 1`;
    fs.writeFileSync(
      config,
      [
        'host: { name: test-host, load: { warnAbove: 1000, clearBelow: 999 }, memory: { warnBelow: 1%, clearAbove: 2% } }',
        `store: { url: "${storeUrl}" }`,
        'http: { listen: "127.0.0.1:0" }',
        'log: { file: logs/warden.log, level: debug }',
        `telegram: { token: "\${TELEGRAM_BOT_TOKEN}", apiRoot: "${fake.apiRoot}", chats: [{ id: 42, minSeverity: warning }] }`,
        'disk: { paths: [.] }',
        'services:',
        '  db:',
        `    check: { command: { run: ${JSON.stringify(dbRun)} } }`,
        '    interval: 30s',
        '    failureThreshold: 1',
        '  emoji:',
        `    check: { command: { run: ${JSON.stringify(emojiRun)}, timeout: 20s } }`,
        '    interval: 30s',
        '    failureThreshold: 1',
        '  inject:',
        `    check: { command: { run: 'echo "\${INJECT}"; exit 1' } }`,
        '    interval: 30s',
        '    failureThreshold: 1',
        '    severity: info',
        `    restart: { strategy: command, command: 'echo "\${INJECT}" > ${restarted}' }`,
      ].join('\n'),
    );
    const env = { TELEGRAM_BOT_TOKEN: fake.token, PGPW: password, INJECT: `x; touch ${pwned}` };
    const warden = startWarden(['run', '--config', config], env);
    await warden.ready;

    // the restart ran with the value as data: the file holds the text, and touch never ran
    expect(await waitForFile(restarted)).toBe(`x; touch ${pwned}\n`);
    await fake.waitFor(
      () => fake!.messages.some((m) => m.text.includes('psql')) && fake!.messages.some((m) => m.text.includes('😀')),
      60_000,
      'alerts for db and emoji',
    );
    warden.child.kill('SIGTERM');
    expect((await warden.exited).code).toBe(0);
    expect(fs.existsSync(pwned)).toBe(false);

    const emojiAlert = fake.messages.find((m) => m.text.includes('😀'))!;
    expect(emojiAlert.text.length).toBeLessThanOrEqual(4096);
    // (the excerpt keeps a phone screen: the line is cut, never inside a character)
    expect(emojiAlert.text).toMatch(/(😀){50}/u);
    expect(emojiAlert.text).not.toContain('\uFFFD');
    // the command line itself shows `\033]0;title`; its output must carry neither the sequence nor its text
    expect(emojiAlert.text).not.toContain('\x1b');
    expect(emojiAlert.text).not.toContain('\x07');
    expect(/<pre>([\s\S]*)<\/pre>/.exec(emojiAlert.text)?.[1]).toMatch(/^(…\n)?(😀)+…?$/u);
    const dbAlert = fake.messages.find((m) => m.text.includes('psql'))!;
    expect(dbAlert.text).toContain('psql: password authentication failed for [REDACTED]');

    const status = captureIo(env);
    expect(await main(['status', '--json', '--config', config], status)).toBe(0);
    const incidents = captureIo(env);
    expect(await main(['incidents', '--all', '--json', '--config', config], incidents)).toBe(0);
    expect(incidents.stdout.join('\n')).toContain('[REDACTED]');
    const logs = fs.readdirSync(path.join(dir, 'logs')).map((f) => fs.readFileSync(path.join(dir, 'logs', f), 'utf8'));
    const stored = await storedTexts(storeUrl);
    expect(stored.join('\n')).toContain('😀');
    expect(stored.join('\n')).not.toContain('\uFFFD');

    const places = {
      telegram: JSON.stringify(fake.messages),
      'status --json': status.stdout.join('\n'),
      'incidents --json': incidents.stdout.join('\n'),
      store: stored.join('\n'),
      logs: logs.join('\n'),
      stdout: warden.output(),
    };
    for (const [place, text] of Object.entries(places)) expect(text.includes(password), place).toBe(false);
  }, 120_000);
});

describe('bad input at start', () => {
  it('exits by itself with 78 when the store path is under /proc', async () => {
    const dir = tempDir();
    const config = path.join(dir, 'warden.config.yaml');
    fs.writeFileSync(config, 'store: { url: "sqlite:/proc/x/warden.db" }\nhttp: { listen: "127.0.0.1:0" }\n');
    // the acceptance runs `timeout 15 warden run`; 60 here leaves room for tsx's start on a loaded
    // machine, and a hang (the old recursive mkdir under /proc) still ends as timeout's 124, not 78
    const child = spawn(
      'timeout',
      ['60', process.execPath, '--import', 'tsx', 'src/main.ts', 'run', '--config', config],
      {
        env: { PATH: process.env.PATH, HOME: process.env.HOME },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(78);
    expect(output.trim()).toBe(
      `${config}: store.url: must not be under /proc (a kernel filesystem); use a folder like ./data`,
    );
  });

  it('refuses pm2: all in warden run, before touching pm2', async () => {
    const dir = tempDir();
    const config = path.join(dir, 'warden.config.yaml');
    fs.writeFileSync(config, 'services:\n  api:\n    pm2: all\n    check: { pm2: {} }\n');
    const warden = startWarden(['run', '--config', config], { PM2_HOME: path.join(dir, 'pm2') });
    expect((await warden.exited).code).toBe(78);
    expect(warden.output()).toContain(`${config}: services.api.pm2: "all" is a pm2 selector`);
    expect(fs.existsSync(path.join(dir, 'pm2'))).toBe(false);
  });
});
