import fs from 'node:fs';
import path from 'node:path';

/** What `writeConfig` puts in warden.config.yaml beside http on a free port and the log in `dir`/logs. */
export interface ConfigParts {
  /** The store URL; `sqlite:<dir>/data/warden.db` when left out. */
  store?: string;
  /**
   * The (fake) Bot API and its chats in YAML flow style, `[{ id: 42 }]`; the token comes from
   * $TELEGRAM_BOT_TOKEN, so it never stands in the file. Without it the daemon runs dry.
   */
  telegram?: { apiRoot: string; chats: string; admins?: string };
  /** Any other top-level lines: `host: prod-1`, `disk: { paths: [.] }`, `services:` and its services. */
  lines?: string[];
}

/**
 * Writes `dir`/warden.config.yaml for a daemon of its own (its store, log and http port clash with
 * no other test's) and returns its path:
 * `writeConfig(dir, { telegram: { apiRoot: fake.apiRoot, chats: '[{ id: 42 }]' }, lines: ['host: prod-1'] })`.
 */
export function writeConfig(dir: string, parts: ConfigParts = {}): string {
  const file = path.join(dir, 'warden.config.yaml');
  const { store = `sqlite:${path.join(dir, 'data', 'warden.db')}`, telegram, lines = [] } = parts;
  const yaml = [
    `store: { url: "${store}" }`,
    'http: { listen: "127.0.0.1:0" }',
    `log: { file: "${path.join(dir, 'logs', 'warden.log')}" }`,
    ...(telegram
      ? [
          'telegram:',
          '  token: ${TELEGRAM_BOT_TOKEN}',
          `  apiRoot: ${telegram.apiRoot}`,
          `  chats: ${telegram.chats}`,
          ...(telegram.admins ? [`  admins: ${telegram.admins}`] : []),
        ]
      : []),
    ...lines,
  ];
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, `${yaml.join('\n')}\n`);
  return file;
}
