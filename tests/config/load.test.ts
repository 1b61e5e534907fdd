import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.ts';
import { loadConfig, parseConfig } from '../../src/config/load.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const base = '/srv/warden';
const parse = (text: string, env: NodeJS.ProcessEnv = {}) =>
  parseConfig(text, 'warden.config.yaml', { env, baseDir: base });

function problemsOf(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parse(text, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message.split('\n');
  }
  throw new Error('expected the config to be rejected');
}

const api = (extra: string) =>
  `services:\n  api:\n    check:\n      http:\n        url: http://127.0.0.1:3000/healthz\n${extra}`;

describe('config loading', () => {
  it('fills every default from SPEC §3 for an empty mapping', () => {
    const { config } = parse('{}');
    expect(config.store.url).toBe('sqlite:/srv/warden/data/warden.db');
    expect(config.http.listen).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(config.log).toMatchObject({
      level: 'info',
      file: '/srv/warden/logs/warden.log',
      maxFileBytes: 10 * 1024 ** 2,
      keepFiles: 14,
    });
    expect(config.telegram).toMatchObject({ token: null, locale: 'en', repeatMs: 3_600_000, chats: [] });
    expect(config.disk).toMatchObject({
      paths: ['/', '/srv/warden/backups'],
      warnRatio: 0.8,
      criticalRatio: 0.9,
      intervalMs: 60_000,
      forecastMs: 86_400_000,
    });
    expect(config.logs).toMatchObject({
      maxSizeBytes: 100 * 1024 ** 2,
      pruneSchedule: '0 30 3 * * *',
      rotate: { compress: true, mode: 'rename' },
    });
    expect(config.backups.dir).toBe('/srv/warden/backups');
    expect(config.digest.schedule).toBe('0 0 9 * * *');
  });

  it('parses a service with units into named numbers and defaults', () => {
    const { config } = parse(api('    pm2: api-app\n    interval: 10s\n    restart: { backoff: 5s..2m }\n'));
    expect(config.services.api).toMatchObject({
      name: 'api',
      pm2: 'api-app',
      check: { kind: 'http', options: { url: 'http://127.0.0.1:3000/healthz', expectStatus: 200, timeoutMs: 5000 } },
      intervalMs: 10_000,
      failureThreshold: 3,
      successThreshold: 1,
      restart: { strategy: 'pm2', backoffInitialMs: 5000, backoffMaxMs: 120_000, maxRestarts: 5, windowMs: 1_800_000 },
      severity: 'critical',
    });
  });

  it('restarts through pm2 only for pm2-managed services', () => {
    const { config } = parse(`services:
  db: { check: { postgres: { url: "postgres://app@127.0.0.1:5432/app" } } }
  bot: { check: { pm2: {} } }
  api: { check: { tcp: { port: 3000 } }, restart: { strategy: pm2 } }`);
    expect(config.services.db).toMatchObject({ pm2: null, restart: { strategy: 'none' } });
    expect(config.services.bot).toMatchObject({ pm2: 'bot', restart: { strategy: 'pm2' } });
    expect(config.services.api).toMatchObject({ pm2: 'api', restart: { strategy: 'pm2' } });
  });

  it('replaces ${VAR} and ${VAR:-default} from the environment', () => {
    const { config, secrets } = parse(
      'telegram:\n  token: ${BOT}\n  apiRoot: ${ROOT:-http://127.0.0.1:8081}\nstore:\n  url: postgres://warden:${PW}@db:5432/warden\n',
      { BOT: '123456:abcdefghijklmnopqrstuvwxyz0123456789', PW: 'p%40ssw0rd' },
    );
    expect(config.telegram.token).toBe('123456:abcdefghijklmnopqrstuvwxyz0123456789');
    expect(config.telegram.apiRoot).toBe('http://127.0.0.1:8081');
    expect(secrets).toContain('123456:abcdefghijklmnopqrstuvwxyz0123456789');
    expect(secrets).toEqual(expect.arrayContaining(['p%40ssw0rd', 'p@ssw0rd']));
  });

  it('takes the token from TELEGRAM_BOT_TOKEN when the file does not set one, and runs dry without it', () => {
    expect(parse('{}', { TELEGRAM_BOT_TOKEN: '42:abc' }).config.telegram.token).toBe('42:abc');
    expect(parse('telegram: { chats: [{ id: -100123 }] }').config.telegram.token).toBeNull();
  });

  it('resolves relative paths against the config file folder', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'w.yaml'), 'backups: { dir: ./b }\n');
    expect(loadConfig(path.join(dir, 'w.yaml'), {}).config.backups.dir).toBe(path.join(dir, 'b'));
  });

  it('names a missing file with the fix', () => {
    expect(() => loadConfig('/nonexistent/warden.config.yaml', {})).toThrow(
      /cannot read the config file \(not found\); pass --config PATH/,
    );
  });

  it('reports every problem of a file in one pass', () => {
    const lines = problemsOf('host: ""\nhttp: { listen: nope }\ndisk: { warn: lots }\n');
    expect(lines).toEqual([
      'warden.config.yaml: host: must not be empty',
      'warden.config.yaml: http.listen: must be host:port like 127.0.0.1:9464',
      'warden.config.yaml: disk.warn: must be a percentage like 80%',
    ]);
  });

  const broken: Array<[string, string, string]> = [
    ['a misspelled top-level key', 'servics: {}', 'servics: unknown key'],
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
    [
      'a check URL that is not one',
      'services:\n  api:\n    check: { http: { url: "not a url" } }\n',
      'services.api.check.http.url: must be an http(s) URL',
    ],
    ['a bad duration', api('    interval: 10 seconds\n'), 'services.api.interval: must be a duration like 15s'],
    ['a duration written as a number', api('    interval: 10\n'), 'services.api.interval: must be a duration like 15s'],
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
      'a bad backoff range',
      api('    restart: { backoff: 5m..10s }\n'),
      'services.api.restart.backoff: must be a range like 10s..5m',
    ],
    [
      'dependsOn an unknown service',
      api('    dependsOn: [db]\n'),
      'services.api.dependsOn.0: must name another service',
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
    [
      'a non-postgres URL for a postgres check',
      'services:\n  db:\n    check: { postgres: { url: "mysql://x" } }\n',
      'services.db.check.postgres.url: must be a postgres:// URL',
    ],
    ['a bad store URL', 'store: { url: "mongodb://x" }', 'store.url: must be sqlite:PATH or postgres://'],
    ['a bad log level', 'log: { level: loud }', 'log.level: must be one of: trace, debug'],
    ['a bad size', 'logs: { maxSize: 100 megs }', 'logs.maxSize: must be a size like 100MB'],
    ['a ratio over 100%', 'disk: { critical: 120% }', 'disk.critical: must be a percentage like 90%'],
    ['warn above critical', 'disk: { warn: 95%, critical: 90% }', 'disk.warn: must be below disk.critical'],
    ['a bad cron pattern', 'logs: { pruneSchedule: "0 61 3 * * *" }', 'logs.pruneSchedule: must be a cron pattern'],
    ['a bad timezone', 'timezone: Mars/Olympus', 'timezone: must be an IANA timezone'],
    [
      'bad quiet hours',
      'telegram: { quietHours: "late" }',
      'telegram.quietHours: must be a time range like 23:00-07:00',
    ],
    ['an unknown locale', 'telegram: { locale: fr }', 'telegram.locale: must be en or ko'],
    ['a bad chat id', 'telegram: { chats: [{ id: "general" }] }', 'telegram.chats.0.id: must be a chat id'],
    [
      'a backup target with two sources',
      'backups: { targets: { main: { postgres: "postgres://a@b/c", files: [x] } } }',
      'backups.targets.main: must set exactly one of postgres, files or warden',
    ],
    [
      'a runbook link for an unknown topic',
      'runbooks: { links: { disk-full: "https://x" } }',
      'runbooks.links.disk-full: unknown key',
    ],
    [
      'a literal bot token in the file',
      'telegram: { token: "123456:abcdef" }',
      'telegram.token: must come from the environment',
    ],
    [
      'a literal password in a URL',
      'store: { url: "postgres://warden:hunter2@db/warden" }',
      'store.url: the password must come from the environment',
    ],
    [
      'a dependency cycle',
      'services:\n  a: { check: { pm2: {} }, dependsOn: [b] }\n  b: { check: { pm2: {} }, dependsOn: [a] }\n',
      'forms a cycle: a → b → a',
    ],
    ['a YAML syntax error', 'services: [\n', 'YAML syntax'],
    ['a duplicate key', 'host: a\nhost: b\n', 'host: is written twice (line 1, column 1 and line 2, column 1)'],
  ];

  it.each(broken)('rejects %s, naming the key', (_name, text, expected) => {
    const lines = problemsOf(text);
    expect(
      lines.some((line) => line.startsWith('warden.config.yaml: ') && line.includes(expected)),
      lines.join('\n'),
    ).toBe(true);
  });

  it('names an unset variable and its key, once', () => {
    expect(problemsOf('heartbeat: { url: "${HEARTBEAT_URL}" }')).toEqual([
      'warden.config.yaml: heartbeat.url: environment variable HEARTBEAT_URL is not set; set it, or write ${HEARTBEAT_URL:-} to allow it empty',
    ]);
  });

  it('never repeats a secret in its messages', () => {
    const lines = problemsOf('store: { url: "postgres://warden:hunter2@db/warden" }');
    expect(lines.join('\n')).not.toContain('hunter2');
  });

  it('freezes the result', () => {
    const { config } = parse('{}');
    expect(Object.isFrozen(config.telegram)).toBe(true);
  });
});

describe('config paths', () => {
  it('rejects a store reached through a symlink into /proc', () => {
    const dir = tempDir();
    fs.symlinkSync('/proc/self', path.join(dir, 'data'));
    expect(() => loadConfigText(dir, 'store: { url: "sqlite:./data/x/warden.db" }')).toThrow(
      /store\.url: must not be under \/proc/,
    );
  });
});

function loadConfigText(dir: string, text: string) {
  fs.writeFileSync(path.join(dir, 'w.yaml'), text);
  return loadConfig(path.join(dir, 'w.yaml'), {});
}
