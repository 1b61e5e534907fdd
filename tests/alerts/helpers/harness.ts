import { createAlerts } from '../../../src/alerts/create-alerts.ts';
import type { Dispatcher, Settlement } from '../../../src/alerts/dispatcher.ts';
import { alertChats, outboxWriter } from '../../../src/alerts/outbox.ts';
import type { PaceLimits } from '../../../src/alerts/pacer.ts';
import { parseConfig } from '../../../src/config/load.ts';
import type { Config } from '../../../src/config/schema.ts';
import { createTracker, type IncidentTracker } from '../../../src/incidents/tracker.ts';
import { systemClock, type Clock } from '../../../src/lib/clock.ts';
import type { Logger } from '../../../src/lib/logger.ts';
import type { Part } from '../../../src/lib/part.ts';
import { openStore, type Store } from '../../../src/store/db.ts';
import type { FakeTelegram } from '../../fixtures/fake-telegram.ts';
import { noPace } from '../../fixtures/no-pace.ts';
import { captureLogger } from '../../helpers/logger.ts';
import type { ManualClock } from '../../helpers/manual-clock.ts';
import { until } from '../../helpers/until.ts';
import { openTestStore, type Dialect } from '../../helpers/store.ts';

export interface HarnessOptions {
  fake: FakeTelegram | null;
  dir: string;
  /** YAML under `telegram:` besides token and apiRoot, e.g. `chats: [{ id: 42 }]`. */
  telegram?: string;
  /** Extra top-level YAML (runbooks, host…). */
  extra?: string;
  clock?: Clock;
  pace?: PaceLimits;
  tuning?: Parameters<typeof createAlerts>[0]['tuning'];
  dialect?: Dialect;
  /** Reuse a store (a restart) instead of opening a new one. */
  storeUrl?: string;
  /** Whether this instance leads the fleet [always]. */
  leads?: () => boolean;
}

/** warden's real alert path — config, store, tracker, outbox, dispatcher, Telegram channel — against the fake. */
export interface Harness {
  config: Config;
  store: Store;
  storeUrl: string;
  incidents: IncidentTracker;
  dispatcher: Dispatcher;
  log: Logger;
  logLines(): Array<Record<string, unknown>>;
  settlements: Settlement[];
  start(): Promise<void>;
  /**
   * Resolves once the alert path is idle: no outbox row is pending (every alert queued so far was
   * sent, logged or failed) and, with `sleepers`, that many loops wait on the manual clock again
   * (their runs finished). Only after this does "nothing more arrived" prove anything.
   */
  idle(options?: { sleepers?: number; timeoutMs?: number }): Promise<void>;
  /** Stops the parts and closes the store (a store it opened itself is dropped). */
  stop(): Promise<void>;
}

export const fastTuning = { backoff: { initialMs: 20, maxMs: 200 }, pollMs: 50 };

export async function createHarness(options: HarnessOptions): Promise<Harness> {
  const clock = options.clock ?? systemClock;
  // a harness given storeUrl is a restart: it reopens that store and leaves dropping it to the first
  const own = options.storeUrl ? null : await openTestStore(options.dialect ?? 'sqlite');
  const storeUrl = options.storeUrl ?? own!.url;
  const yaml = [
    'host: prod-1',
    'timezone: UTC',
    `store: { url: "${storeUrl}" }`,
    'runbooks: { baseUrl: "https://github.com/acme/warden/blob/main/docs/runbook" }',
    options.extra ?? '',
    'telegram:',
    options.fake ? `  apiRoot: ${options.fake.apiRoot}` : '',
    ...(options.telegram ?? 'chats: []').split('\n').map((l) => `  ${l}`),
  ].join('\n');
  const env = options.fake ? { TELEGRAM_BOT_TOKEN: options.fake.token } : {};
  const { config } = parseConfig(yaml, 'warden.config.yaml', { env, baseDir: options.dir });
  const store = own?.store ?? (await openStore(storeUrl));
  const { log, lines } = captureLogger();
  const incidents = createTracker({
    store,
    clock,
    log,
    writers: [outboxWriter(alertChats(config))],
    host: config.host,
  });
  const alerts = createAlerts({
    config,
    store,
    clock,
    log,
    incidents,
    ...(options.leads && { leads: options.leads }),
    pace: options.pace ?? noPace,
    tuning: options.tuning ?? fastTuning,
  });
  const settlements: Settlement[] = [];
  alerts.dispatcher.onSettled((s) => settlements.push(s));
  const started: Part[] = [];
  return {
    config,
    store,
    storeUrl,
    incidents,
    dispatcher: alerts.dispatcher,
    log,
    logLines: lines,
    settlements,
    async start() {
      for (const part of alerts.parts) {
        await part.start();
        started.push(part);
      }
    },
    async idle({ sleepers, timeoutMs = 10_000 } = {}) {
      const manual = clock as Partial<ManualClock>;
      if (sleepers !== undefined)
        await until(() => manual.sleeping === sleepers, timeoutMs, `${sleepers} loops asleep on the clock`);
      const pending = async () =>
        (await store.db.selectFrom('outbox').select('id').where('state', '=', 'pending').execute()).length;
      await until(async () => (await pending()) === 0, timeoutMs, 'no pending outbox row');
    },
    async stop() {
      for (const part of started.splice(0).reverse()) await part.stop();
      await store.close();
      await own?.close();
    },
  };
}
