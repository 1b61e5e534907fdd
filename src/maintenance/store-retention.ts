import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import { cron, type CronJob } from '../scheduler/cron.ts';
import type { Store } from '../store/db.ts';
import { pruneStore } from '../store/retention.ts';

export interface RetentionOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  /** `store.retain`. */
  retainMs: number;
  timezone?: string | undefined;
  /** When the daily prune runs [04:45 every day]. */
  pattern?: string;
  batchSize?: number;
}

/** The daily prune of warden's own tables, as a Part. */
export function storeRetention(options: RetentionOptions): CronJob {
  const log = options.log.child({ part: 'store-retention' });
  return cron({
    name: 'store-retention',
    pattern: options.pattern ?? '0 45 4 * * *',
    timezone: options.timezone,
    clock: options.clock,
    log,
    run: async (signal) => {
      const before = options.clock.now() - options.retainMs;
      const pruned = await pruneStore(options.store.db, { before, batchSize: options.batchSize, signal });
      log.info({ ...pruned, before: new Date(before).toISOString() }, 'store pruned');
    },
  });
}
