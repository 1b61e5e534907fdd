import type { Config } from '../config/schema.ts';
import type { IncidentTracker } from '../incidents/tracker.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { Part } from '../lib/part.ts';
import { createScrubber } from '../lib/redact.ts';
import { createLogHygiene, pm2LogsOf, type LogHygiene } from '../logs/hygiene.ts';
import type { Store } from '../store/db.ts';
import { findUnresolvedIncident } from '../store/incidents.ts';
import type { Pm2Client } from '../pm2/types.ts';
import { createDiskCleanup, type Reclaimers } from './cleanup.ts';
import { createDiskMonitor } from './monitor.ts';

export interface DiskAndLogsOptions {
  config: Config;
  store: Store;
  incidents: Pick<IncidentTracker, 'observe' | 'stateOf' | 'recordAction' | 'subscribe'>;
  /** From `pm2ClientFor`: null when no service is pm2-managed. */
  pm2: Pm2Client | null;
  clock: Clock;
  log: Logger;
  /** Backups above `keep`, freed on disk critical after rotated logs. */
  pruneBackups?: Reclaimers['backups'];
  /** Removes secrets from quoted log lines; by shape and the bot token when not given. */
  scrub?: (text: string) => string;
  /** Disk-monitor tuning for tests. */
  forecastWindowMs?: number;
}

/**
 * Disk and log hygiene as daemon parts: log watch, size checks, rotation and pattern alerts; the
 * prune schedule; disk usage and forecast; the cleanup action on disk critical.
 */
export function createDiskAndLogs(options: DiskAndLogsOptions): { parts: Part[]; logs: LogHygiene } {
  const { config, store, incidents, pm2, clock, log } = options;
  const logs = createLogHygiene({
    config: config.logs,
    store,
    incidents,
    pm2: pm2 && config.logs.pm2 ? pm2LogsOf(pm2) : null,
    clock,
    log,
    scrub: options.scrub ?? createScrubber(config.telegram.token ? [config.telegram.token] : []),
    timezone: config.timezone,
    ownLog: config.log.file,
  });
  const monitor = createDiskMonitor({
    config: config.disk,
    store,
    incidents: {
      observe: (key, reading) => incidents.observe(key, reading),
      severityOf: async (key) => (await findUnresolvedIncident(store.db, key, config.host))?.severity ?? null,
    },
    clock,
    log,
    consumers: () => [
      ...logs.folders().map((dir) => ({ label: 'logs', dir })),
      { label: 'backups', dir: config.backups.dir },
    ],
    forecastWindowMs: options.forecastWindowMs,
  });
  const cleanup = createDiskCleanup({
    config: config.disk,
    incidents,
    reclaim: { logs: (bytes, dev) => logs.emergencyPrune(bytes, dev), backups: options.pruneBackups ?? null },
    log,
    now: () => clock.now(),
  });
  // cleanup listens before the monitor can open anything
  return { parts: [cleanup, ...logs.parts, monitor], logs };
}
