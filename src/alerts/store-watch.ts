import type { Config } from '../config/schema.ts';
import type { IncidentSink, Observation } from '../incidents/types.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { Part } from '../lib/part.ts';
import { runInBackground } from '../lib/run-in-background.ts';
import type { Store } from '../store/db.ts';
import type { StoreLock } from '../store/lock.ts';
import { channelsFor } from './create-alerts.ts';
import { createLastResort } from './last-resort.ts';

export interface StoreWatchOptions {
  config: Config;
  store: Store;
  clock: Clock;
  log: Logger;
  /** The daemon's lock on the store; a PostgreSQL lock dies with its connection and is taken again. */
  lock?: StoreLock | undefined;
  /** The store takes writes again: deliver what waited. */
  onRecovered(): void;
}

/**
 * warden watching its own store: the daemon's heartbeat write is the probe, an outage sends the
 * last-resort message, and recovery re-takes the store lock and wakes the outbox.
 * @example const watch = createStoreWatch({ … }); every({ run: () => watch.heartbeat(() => recordRunTick(…)) })
 */
export interface StoreWatch {
  parts: Part[];
  /** Runs the heartbeat write as the store's health probe; true when it (and the store's checks) succeeded. */
  heartbeat(write: () => Promise<void>): Promise<boolean>;
  /**
   * The incident port for this host's own watchers: a problem the failing store cannot record still
   * reaches the chats by the last-resort path (a host cut off from a fleet's store speaks for itself).
   */
  guard(incidents: IncidentSink): IncidentSink;
}

export function createStoreWatch(options: StoreWatchOptions): StoreWatch {
  const { config, store, clock, lock } = options;
  const log = options.log.child({ part: 'store-watch' });
  const lastResort = createLastResort({
    health: store.health,
    location: store.location,
    host: config.host,
    chats: config.telegram.chats.map((c) => ({ chatId: c.id, thread: c.thread ?? null })),
    channelFor: channelsFor(config, log),
    clock,
    log,
  });
  let unsubscribe: (() => void) | undefined;
  const recovery: Part = {
    name: 'store-recovery',
    start: () => {
      unsubscribe = store.health.onChange((change) => {
        if (!change.failing) options.onRecovered();
      });
      return Promise.resolve();
    },
    stop: () => {
      unsubscribe?.();
      return Promise.resolve();
    },
  };
  const orLastResort = async <T>(key: string, problem: Observation | null, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (err) {
      if (problem) lastResort.alert(key, problem.detail);
      throw err;
    }
  };
  return {
    parts: [lastResort, recovery],
    guard: (incidents) => ({
      observe: (key, reading) => orLastResort(key, reading.ok ? null : reading, () => incidents.observe(key, reading)),
      report: (key, observation) => orLastResort(key, observation, () => incidents.report(key, observation)),
      resolve: (key, detail) => incidents.resolve(key, detail),
      recordAction: (idOrKey, action) => incidents.recordAction(idOrKey, action),
      stateOf: (key) => incidents.stateOf(key),
    }),
    heartbeat: async (write) => {
      const ok = await store.health.probe(write);
      if (ok && lock && !lock.held()) {
        runInBackground(log, 'store lock', () => lock.reacquire());
      }
      return ok;
    },
  };
}
