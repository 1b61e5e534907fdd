import path from 'node:path';
import { parseConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { createDaemon, type Daemon, type DaemonDeps } from '../../src/daemon.ts';
import { systemClock, type Clock } from '../../src/lib/clock.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { noPace } from '../fixtures/no-pace.ts';
import type { FakeTelegram } from '../fixtures/fake-telegram.ts';
import { captureLogger } from '../helpers/logger.ts';

export const admin = { id: 1001, username: 'alice' };
export const stranger = { id: 2002, username: 'mallory' };
export const chat = -100500;

export interface BotDaemon {
  daemon: Daemon;
  store: Store;
  config: Config;
  lines(): Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** The real daemon in this process, with the bot on, against the fake Bot API. */
export async function startBotDaemon(options: {
  fake: FakeTelegram;
  dir: string;
  /** Extra YAML, top level (services, heartbeat…). */
  extra?: string;
  /** Extra YAML under `telegram:`. */
  telegram?: string;
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
  tuning?: Partial<Pick<DaemonDeps, 'tickMs' | 'alerts' | 'supervision' | 'bot'>>;
}): Promise<BotDaemon> {
  const { fake, dir } = options;
  const yaml = `host: prod-1
timezone: UTC
store: { url: "sqlite:${path.join(dir, 'warden.db')}" }
http: { listen: "127.0.0.1:0" }
log: { file: "${path.join(dir, 'logs', 'warden.log')}" }
runbooks: { baseUrl: "https://github.com/acme/warden/blob/main/docs/runbook" }
disk: { paths: ["${dir}"] }
telegram:
  apiRoot: "${fake.apiRoot}"
  chats: [{ id: ${chat} }]
  admins: [${admin.id}]
${(options.telegram ?? '')
  .split('\n')
  .map((l) => `  ${l}`)
  .join('\n')}
${options.extra ?? ''}`;
  const { config } = parseConfig(yaml, 'warden.config.yaml', {
    env: { TELEGRAM_BOT_TOKEN: fake.token },
    baseDir: dir,
  });
  const store = await openStore(config.store.url);
  const { log, lines } = captureLogger();
  const daemon = createDaemon({
    config,
    store,
    log,
    clock: options.clock ?? systemClock,
    version: 'test',
    env: options.env,
    supervision: { jitterRatio: 0, pm2ProbeIntervalMs: 200, hostHealth: false },
    bot: { pollTimeoutSec: 1, backoff: { initialMs: 20, maxMs: 200 } },
    ...options.tuning,
    alerts: { pace: noPace, tuning: { backoff: { initialMs: 20, maxMs: 200 }, pollMs: 50 }, ...options.tuning?.alerts },
  });
  await daemon.start();
  return {
    daemon,
    store,
    config,
    lines,
    stop: async () => {
      await daemon.stop();
      await store.close();
    },
  };
}
