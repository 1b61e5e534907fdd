import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { parseConfig } from '../../../src/config/load.ts';
import { createDaemon, type Daemon, type DaemonDeps } from '../../../src/daemon.ts';
import { systemClock } from '../../../src/lib/clock.ts';
import { openStore, type Store } from '../../../src/store/db.ts';
import { fastTuning } from '../../alerts/helpers/harness.ts';
import { startFakeTelegram, type FakeTelegram } from '../../fixtures/fake-telegram.ts';
import { noPace } from '../../fixtures/no-pace.ts';
import { captureLogger } from '../../helpers/logger.ts';
import { appsDir, createPm2Home, type Pm2Home } from '../../helpers/pm2.ts';
import { closedPort } from '../../helpers/servers.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

/** What a test file gets from `usePm2AndTelegram`: the pm2 home, this test's fake Bot API, and warden. */
export interface Pm2World {
  readonly pm2: Pm2Home;
  readonly chat: number;
  /** The fake Bot API of the running test (a new one per test). */
  fake(): FakeTelegram;
  /**
   * Starts the real daemon on this test's store (one per test; a second call after `stopWarden`
   * is the next run of warden on the same store).
   */
  startWarden(
    services: string,
    supervision?: DaemonDeps['supervision'],
  ): Promise<{ store: Store; lines: () => Array<Record<string, unknown>>; daemon: Daemon }>;
  stopWarden(): Promise<void>;
  /**
   * Starts tests/fixtures/apps/http-app.mjs under pm2 as `name` on a free port (`extra` adds to its
   * ecosystem entry, e.g. `error_file`) and returns the port.
   */
  startHttpApp(name: string, extra?: Record<string, unknown>): Promise<number>;
}

/**
 * One service of `startWarden`'s YAML on the pm2 app of its name, in flow style:
 * `onPm2('web', healthz(port, '300ms'), 'interval: 1s, restart: { backoff: 1s..5s }')`.
 */
export const onPm2 = (name: string, check: string, settings: string): string =>
  `  ${name}: { pm2: ${name}, check: ${check}, ${settings} }\n`;

/** An http check of the app's /healthz on 127.0.0.1:`port`, for `onPm2`. */
export const healthz = (port: number, timeout?: string): string =>
  `{ http: { url: "http://127.0.0.1:${port}/healthz"${timeout === undefined ? '' : `, timeout: ${timeout}`} } }`;

/**
 * Registers the hooks of a test file that runs warden against a real pm2 daemon in a temp
 * PM2_HOME and the fake Bot API: pm2 for the file, a fake, a folder and a store per test, and every
 * app and daemon gone after each test.
 */
export function usePm2AndTelegram(chat = 42): Pm2World {
  const pm2 = createPm2Home();
  let fake: FakeTelegram | null = null;
  let dir = '';
  let daemon: Daemon | null = null;
  let store: Store | null = null;

  const stopWarden = async (): Promise<void> => {
    await daemon?.stop();
    await store?.close();
    daemon = null;
    store = null;
  };

  beforeAll(async () => {
    await pm2.startDaemon();
  });
  afterAll(async () => {
    await pm2.kill();
  });
  beforeEach(async () => {
    fake = await startFakeTelegram({ chats: [chat] });
    dir = tempDir();
  });
  afterEach(async () => {
    await stopWarden();
    await fake?.close();
    await pm2.cli('delete', 'all').catch(() => undefined);
  });

  const current = (): FakeTelegram => {
    if (!fake) throw new Error('the fake Bot API runs only inside a test');
    return fake;
  };

  return {
    pm2,
    chat,
    fake: current,
    stopWarden,
    async startHttpApp(name, extra = {}) {
      const port = await closedPort();
      const script = path.join(appsDir, 'http-app.mjs');
      await pm2.startApps([{ name, script, env: { PORT: String(port) }, ...extra }]);
      return port;
    },
    async startWarden(services, supervision = {}) {
      const yaml = `host: prod-1
timezone: UTC
store: { url: "sqlite:${path.join(dir, 'warden.db')}" }
http: { listen: "127.0.0.1:0" }
log: { file: "${path.join(dir, 'logs', 'warden.log')}" }
telegram: { apiRoot: "${current().apiRoot}", chats: [{ id: ${chat} }] }
services:
${services || '  {}'}`;
      const env = { TELEGRAM_BOT_TOKEN: current().token };
      const { config } = parseConfig(yaml, 'warden.config.yaml', { env, baseDir: dir });
      const opened = await openStore(config.store.url);
      store = opened;
      const { log, lines } = captureLogger();
      daemon = createDaemon({
        config,
        store: opened,
        log,
        clock: systemClock,
        version: 'test',
        alerts: { pace: noPace, tuning: fastTuning },
        supervision: { stableMs: 1000, jitterRatio: 0, pm2ProbeIntervalMs: 200, hostHealth: false, ...supervision },
      });
      await daemon.start();
      return { store: opened, lines, daemon };
    },
  };
}
