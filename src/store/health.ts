import { describeError } from '../lib/errors.ts';

/**
 * Whether warden can write its own store, judged by the daemon's heartbeat write (one probe per
 * tick) and counted over every failed store query. A store is failing after `failAfter` probes in a
 * row failed; one good probe ends the outage.
 * @example const ok = await store.health.probe(() => recordRunTick(store, runId, now)); if (store.health.failing()) …
 */
export interface StoreHealth {
  /** Runs one write and the store's own checks (file still in place, disk not full); never throws. */
  probe(write: () => Promise<void>): Promise<boolean>;
  failing(): boolean;
  /** The outage in progress, or null. */
  outage(): Outage | null;
  /** Failed store operations since start: query errors plus probes that failed before any query ran. */
  errorsTotal(): number;
  /** Called by the store's query logger for every failed query. */
  noteQueryError(): void;
  /** Called when an outage starts and when it ends. */
  onChange(listener: (change: HealthChange) => void): () => void;
}

/** @example { since: 1764385200000, reason: 'SQLITE_FULL: database or disk is full', failures: 2 } */
export interface Outage {
  since: number;
  reason: string;
  failures: number;
}

export type HealthChange = { failing: true; outage: Outage } | { failing: false; outage: Outage; at: number };

export interface StoreHealthOptions {
  now(): number;
  /** Throws when the store cannot be trusted even though a write went through (SQLite file deleted). */
  verify(): void;
  /** Consecutive failed probes before the store counts as failing [2]. */
  failAfter?: number;
}

export function createStoreHealth(options: StoreHealthOptions): StoreHealth {
  const failAfter = options.failAfter ?? 2;
  const listeners = new Set<(change: HealthChange) => void>();
  let queryErrors = 0;
  let otherErrors = 0;
  let consecutive = 0;
  let firstFailureAt = 0;
  let current: Outage | null = null;

  const emit = (change: HealthChange): void => {
    for (const listener of listeners) listener(change);
  };

  return {
    async probe(write) {
      const queryErrorsBefore = queryErrors;
      try {
        options.verify();
        await write();
        options.verify();
      } catch (err) {
        if (queryErrors === queryErrorsBefore) otherErrors++;
        consecutive++;
        if (consecutive === 1) firstFailureAt = options.now();
        const reason = describeError(err);
        if (current) {
          current.reason = reason;
          current.failures = consecutive;
        } else if (consecutive >= failAfter) {
          current = { since: firstFailureAt, reason, failures: consecutive };
          emit({ failing: true, outage: { ...current } });
        }
        return false;
      }
      consecutive = 0;
      if (current) {
        const ended = current;
        current = null;
        emit({ failing: false, outage: ended, at: options.now() });
      }
      return true;
    },
    failing: () => current !== null,
    outage: () => (current ? { ...current } : null),
    errorsTotal: () => queryErrors + otherErrors,
    noteQueryError: () => {
      queryErrors++;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
