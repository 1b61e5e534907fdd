import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.ts';
import { captureIo } from '../helpers/io.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** A valid service to put one wrong thing into. */
const api = (extra = '', check = 'http: { url: "http://127.0.0.1:3000/healthz" }') =>
  `services:\n  api:\n    check: { ${check} }\n${extra}`;

type Case = [name: string, yaml: string, expected: string, env?: NodeJS.ProcessEnv];

/**
 * Each config is wrong in one way a new user could get it wrong. `expected` is a part of the one
 * line that must name the key (or, for YAML errors, the line and column).
 */
const cases: Case[] = [
  // timers and bounds
  ['a zero interval', api('    interval: 0s\n'), 'services.api.interval: must be at least 1s'],
  ['a 25-day interval (timer overflow)', api('    interval: 25d\n'), 'services.api.interval: must be at most 24d'],
  [
    'a zero check timeout',
    api('', 'http: { url: "http://127.0.0.1:3000/", timeout: 0ms }'),
    'services.api.check.http.timeout: must be at least 100ms',
  ],
  [
    'a check timeout as long as the interval',
    api('    interval: 5s\n', 'tcp: { port: 3000, timeout: 5s }'),
    'services.api.check.tcp.timeout: must be at least 100ms and shorter than the interval (5000ms)',
  ],
  [
    'a command timeout longer than the interval',
    api('    interval: 2s\n', 'command: { run: "true", timeout: 1m }'),
    'services.api.check.command.timeout: must be at least 100ms and shorter',
  ],
  ['a zero reminder repeat', 'telegram: { repeat: 0s }', 'telegram.repeat: must be at least 1m'],
  ['a zero disk interval', 'disk: { interval: 0s }', 'disk.interval: must be at least 1s'],
  ['a 30-day host-health interval', 'host: { interval: 30d }', 'host.interval: must be at most 24d'],
  [
    'a backoff past the timer limit',
    api('    restart: { backoff: 10s..30d }\n'),
    'services.api.restart.backoff: the maximum delay must be at most 24d',
  ],
  ['an interval written as a number', api('    interval: 10\n'), 'services.api.interval: must be a duration like 15s'],
  ['an interval in words', api('    interval: 10 seconds\n'), 'services.api.interval: must be a duration like 15s'],
  // environment variables
  [
    'unset variables in the store URL',
    'store: { url: "postgres://postgres:${MISSING_PW}@127.0.0.1:5432/${MISSING_DB}" }',
    'store.url: environment variables MISSING_PW, MISSING_DB are not set',
  ],
  [
    'an unset token variable with chats configured',
    'telegram: { token: "${MISSING}", chats: [{ id: 42 }] }',
    'telegram.token: environment variable MISSING is not set; set it, or write ${MISSING:-} to allow it empty',
  ],
  [
    'an unset variable in a URL',
    'heartbeat: { url: "${HEARTBEAT_URL}" }',
    'heartbeat.url: environment variable HEARTBEAT_URL is not set',
  ],
  [
    'an unset variable in a check URL',
    api('', 'http: { url: "http://${API_HOST}:3000/healthz" }'),
    'services.api.check.http.url: environment variable API_HOST is not set',
  ],
  [
    'an unset http token variable',
    'http: { token: "${MISSING_HTTP}" }',
    'http.token: environment variable MISSING_HTTP',
  ],
  // the file as a whole
  ['an empty file', '', 'the file is empty (or only comments)'],
  ['a file of comments only', '# warden config\n# services: to come\n', 'the file is empty (or only comments)'],
  [
    'a top-level list',
    '- services\n- telegram\n',
    'must be a mapping of sections (host:, store:, telegram:, services: …), not a list',
  ],
  ['a top-level scalar', 'just some text\n', 'must be a mapping of sections'],
  [
    'an env file passed as the config (its value is never echoed)',
    'TELEGRAM_BOT_TOKEN=123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw\n',
    'must be a mapping of sections (host:, store:, telegram:, services: …), not a single value',
    { PLANTED: '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw' },
  ],
  // YAML syntax, with line and column
  ['an unclosed flow list', 'services: [\n', 'line 2, column 1: YAML syntax'],
  ['an unterminated quote', 'host: ok\nstore: { url: "sqlite:./x.db }\n', 'line 3, column 1: YAML syntax'],
  ['a nested compact mapping', 'host: ok\nhttp: listen: 1\n', 'line 2, column 7: YAML syntax'],
  ['a tab for indentation', 'services:\n\tapi: {}\n', 'line 2, column 1: YAML syntax'],
  [
    'a duplicated service name',
    api('  api:\n    check: { pm2: {} }\n'),
    'services.api: is written twice (line 2, column 3 and line 4, column 3)',
  ],
  [
    'a duplicated top-level key',
    'host: a\nhost: b\n',
    'host: is written twice (line 1, column 1 and line 2, column 1)',
  ],
  // values zod would describe in its own words
  [
    'a fractional chat id',
    'telegram: { chats: [{ id: 1.5 }] }',
    'telegram.chats.0.id: must be a chat id like -1001234567890',
  ],
  ['a chat id in words', 'telegram: { chats: [{ id: "general" }] }', 'telegram.chats.0.id: must be a chat id'],
  [
    'a service name with a space',
    'services:\n  my api: { check: { pm2: {} } }\n',
    'services.my api: service names use letters',
  ],
  ['a section that is a list', 'services: [api]\n', 'services: must be a mapping (key: value), not a list'],
  ['a section that is text', 'telegram: yes please\n', 'telegram: must be a mapping (key: value), not text'],
  ['a host that is a number', 'host: 5\n', 'host: must be a hostname'],
  [
    'a threshold as text',
    api('    failureThreshold: three\n'),
    'services.api.failureThreshold: must be a number, not text',
  ],
  ['dependsOn as text', api('    dependsOn: db\n'), 'services.api.dependsOn: must be a list, not text'],
  [
    'a fractional threshold',
    api('    failureThreshold: 1.5\n'),
    'services.api.failureThreshold: must be a whole number',
  ],
  ['a check left empty', 'services:\n  api:\n    check:\n', 'services.api.check: must'],
  // URLs parsed at load
  [
    'a malformed PostgreSQL store URL',
    'store: { url: "postgres://u:${PW}@[::1:5432/db" }',
    'store.url: must be a valid postgres:// URL',
    { PW: 'secret-pw' },
  ],
  [
    'a malformed PostgreSQL check URL',
    'services:\n  db:\n    check: { postgres: { url: "postgres://u:${PW}@[::1:5432/db" } }\n',
    'services.db.check.postgres.url: must be a valid postgres:// URL',
    { PW: 'secret-pw' },
  ],
  ['a store URL of another database', 'store: { url: "mongodb://x" }', 'store.url: must be sqlite:PATH or postgres://'],
  [
    'a check URL that is not one',
    api('', 'http: { url: "not a url" }'),
    'services.api.check.http.url: must be an http(s) URL',
  ],
  [
    'a non-postgres URL for a postgres check',
    'services:\n  db:\n    check: { postgres: { url: "mysql://x" } }\n',
    'services.db.check.postgres.url: must be a postgres:// URL',
  ],
  // paths warden must never create
  ['a store under /proc', 'store: { url: "sqlite:/proc/x/warden.db" }', 'store.url: must not be under /proc'],
  ['a store under /sys', 'store: { url: "sqlite:/sys/warden.db" }', 'store.url: must not be under /sys'],
  ['a log file under /dev', 'log: { file: /dev/warden/warden.log }', 'log.file: must not be under /dev'],
  ['a backups folder under /proc', 'backups: { dir: /proc/1/backups }', 'backups.dir: must not be under /proc'],
  // pm2 selectors
  ['pm2: all', api('    pm2: all\n'), 'services.api.pm2: "all" is a pm2 selector'],
  ['pm2: default (a namespace)', api('    pm2: default\n'), 'services.api.pm2: "default" is a pm2 selector'],
  ['pm2: "0" (a pm_id)', api('    pm2: "0"\n'), 'services.api.pm2: "0" is a pm2 id'],
  ['pm2: 0 as a number', api('    pm2: 0\n'), 'services.api.pm2: must be text, not a number'],
  ['pm2: a list of apps', api('    pm2: "api,bot"\n'), 'services.api.pm2: "api,bot" is not a plain pm2 app name'],
  ['pm2: a regular expression', api('    pm2: "/api.*/"\n'), 'services.api.pm2: "/api.*/" is not a plain pm2 app name'],
  [
    'a service named all managed by pm2',
    'services:\n  all: { check: { pm2: {} } }\n',
    'services.all: as the pm2 app name',
  ],
  [
    'a service named 0 restarted by pm2',
    'services:\n  "0": { check: { tcp: { port: 1 } }, restart: { strategy: pm2 } }\n',
    'services.0: as the pm2 app name',
  ],
  // secrets and http
  ['a literal bot token', 'telegram: { token: "123456:abcdef" }', 'telegram.token: must come from the environment'],
  ['a literal http token', 'http: { token: "letmein" }', 'http.token: must come from the environment'],
  [
    'a literal password in a URL',
    'store: { url: "postgres://warden:hunter2@db/warden" }',
    'store.url: the password must come from the environment',
  ],
  ['redact: with a non-name', 'redact: ["my key"]', 'redact.0: must be environment variable names'],
  ['redact: as text', 'redact: PGPW', 'redact: must be a list, not text'],
  ['http.listen without a port', 'http: { listen: nope }', 'http.listen: must be host:port like 127.0.0.1:9464'],
  ['http.listen on a port out of range', 'http: { listen: "127.0.0.1:99999" }', 'http.listen: must be host:port'],
  // the usual typos and mistakes
  ['a misspelled top-level key', 'servics: {}', 'servics: unknown key (check the spelling)'],
  ['a misspelled service key', api('    intervall: 10s\n'), 'services.api.intervall: unknown key'],
  [
    'a misspelled check kind',
    'services:\n  api:\n    check:\n      htp: { url: "http://x" }\n',
    'services.api.check.htp: unknown key',
  ],
  ['a service without a check', 'services:\n  api: { interval: 10s }\n', 'services.api.check: is required'],
  [
    'two check kinds',
    'services:\n  api:\n    check: { tcp: { port: 1 }, pm2: {} }\n',
    'services.api.check: must name exactly one check kind',
  ],
  ['an empty command', api('', 'command: { run: "" }'), 'services.api.check.command.run: must be a shell command'],
  ['a zero threshold', api('    failureThreshold: 0\n'), 'services.api.failureThreshold: must be at least 1'],
  [
    'an unknown restart strategy',
    api('    restart: { strategy: docker }\n'),
    'services.api.restart.strategy: must be one of: pm2, command, none',
  ],
  [
    'a command strategy without a command',
    api('    restart: { strategy: command }\n'),
    'services.api.restart.command: is required when strategy is command',
  ],
  [
    'a backwards backoff range',
    api('    restart: { backoff: 5m..10s }\n'),
    'services.api.restart.backoff: must be a range like 10s..5m',
  ],
  ['dependsOn an unknown service', api('    dependsOn: [db]\n'), 'services.api.dependsOn.0: must name another service'],
  [
    'a dependency cycle',
    'services:\n  a: { check: { pm2: {} }, dependsOn: [b] }\n  b: { check: { pm2: {} }, dependsOn: [a] }\n',
    'services.a.dependsOn: forms a cycle: a → b → a',
  ],
  [
    'an unknown severity',
    api('    severity: urgent\n'),
    'services.api.severity: must be one of: info, warning, critical',
  ],
  [
    'a TCP port out of range',
    'services:\n  db:\n    check: { tcp: { port: 70000 } }\n',
    'services.db.check.tcp.port: must be at most 65535',
  ],
  ['a bad log level', 'log: { level: loud }', 'log.level: must be one of: trace, debug'],
  ['a bad size', 'logs: { maxSize: 100 megs }', 'logs.maxSize: must be a size like 100MB'],
  ['a ratio over 100%', 'disk: { critical: 120% }', 'disk.critical: must be a percentage like 90%'],
  ['warn above critical', 'disk: { warn: 95%, critical: 90% }', 'disk.warn: must be below disk.critical'],
  ['a bad cron pattern', 'logs: { pruneSchedule: "0 61 3 * * *" }', 'logs.pruneSchedule: must be a cron pattern'],
  ['a bad timezone', 'timezone: Mars/Olympus', 'timezone: must be an IANA timezone'],
  ['bad quiet hours', 'telegram: { quietHours: "late" }', 'telegram.quietHours: must be a time range like 23:00-07:00'],
  ['an unknown locale', 'telegram: { locale: fr }', 'telegram.locale: must be en or ko'],
  [
    'a runbook link for an unknown topic',
    'runbooks: { links: { disk-full: "https://x" } }',
    'runbooks.links.disk-full: unknown key',
  ],
  [
    'a backup target with two sources',
    'backups: { targets: { main: { postgres: "postgres://a@b/c", files: [x] } } }',
    'backups.targets.main: must set exactly one of postgres, files or warden',
  ],
];

describe('malformed configs', () => {
  it('has at least 60 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
  });

  it.each(cases)('%s: exit 78 and one line naming the key', async (_name, yaml, expected, env = {}) => {
    const file = path.join(tempDir(), 'warden.config.yaml');
    fs.writeFileSync(file, yaml);
    const io = captureIo(env);
    expect(await main(['check', '--config', file], io)).toBe(78);
    expect(io.stdout).toEqual([]);
    const lines = io.stderr;
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line.startsWith(`${file}: `), line).toBe(true);
      expect(line).not.toMatch(/\n|\bat .*\.ts:\d+|Invalid input|must be a object|Invalid key in record|\(line \?\)/);
      for (const secret of Object.values(env)) expect(line).not.toContain(secret);
    }
    expect(
      lines.some((line) => line.includes(`${file}: ${expected}`)),
      lines.join('\n'),
    ).toBe(true);
  });
});
