import fs from 'node:fs/promises';
import { formatSize } from '../config/units.ts';
import type { IncidentAction, IncidentChange } from '../incidents/types.ts';
import { describeError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { Part } from '../lib/part.ts';
import type { DiskConfig } from './config.ts';
import { hysteresisRatio } from './monitor.ts';
import { measureDisk, type DiskUsage } from './usage.ts';

/**
 * What disk cleanup may free, each within its own retention: rotated logs (oldest first, each log's
 * newest kept) and backups above `keep` (never the newest good one).
 * @example { logs: (bytes, dev) => hygiene.emergencyPrune(bytes, dev), backups: () => pruneBackups(deps) }
 */
export interface Reclaimers {
  logs(bytesWanted: number, dev: number): Promise<{ freedBytes: number; deleted: unknown[]; failed: unknown[] }>;
  /** Backups above `keep`; null until the backups capability provides it. */
  backups: (() => Promise<{ freedBytes: number; removed: unknown[] }>) | null;
}

export interface DiskCleanupOptions {
  config: DiskConfig;
  incidents: {
    subscribe(listener: (change: IncidentChange) => void): () => void;
    recordAction(key: string, action: IncidentAction): Promise<unknown>;
  };
  reclaim: Reclaimers;
  log: Logger;
  now: () => number;
  measure?: (path: string) => Promise<DiskUsage>;
}

/**
 * The action on `disk-usage` turning critical: frees what retention allows, then records what it
 * freed on the incident (which edits the alert). A Part so that stop waits for a cleanup in flight.
 */
export function createDiskCleanup(options: DiskCleanupOptions): Part {
  const { config, incidents, reclaim } = options;
  const log = options.log.child({ part: 'disk-cleanup' });
  const measure = options.measure ?? measureDisk;
  const running = new Map<string, Promise<void>>();
  let unsubscribe: (() => void) | null = null;

  const cleanup = async (key: string, path: string): Promise<void> => {
    let action: IncidentAction;
    try {
      const usage = await measure(path);
      const dev = (await fs.stat(path)).dev;
      const clearLine = (config.warnRatio - hysteresisRatio) * (usage.usedBytes + usage.availableBytes);
      const wanted = Math.max(0, usage.usedBytes - clearLine);
      const logs = await reclaim.logs(wanted, dev);
      const backups = logs.freedBytes < wanted && reclaim.backups ? await reclaim.backups() : null;
      const freed = logs.freedBytes + (backups?.freedBytes ?? 0);
      const what = [
        logs.deleted.length > 0 ? `${logs.deleted.length} rotated log${logs.deleted.length === 1 ? '' : 's'}` : null,
        backups && backups.removed.length > 0
          ? `${backups.removed.length} backup${backups.removed.length === 1 ? '' : 's'} above keep`
          : null,
      ].filter((w) => w !== null);
      action = {
        at: options.now(),
        kind: 'cleanup',
        ok: logs.failed.length === 0,
        detail:
          what.length > 0
            ? `freed ${formatSize(freed)}: ${what.join(', ')}${logs.failed.length > 0 ? ` (${logs.failed.length} could not be deleted)` : ''}`
            : 'nothing to free: no rotated logs or backups beyond what must be kept',
      };
    } catch (err) {
      action = { at: options.now(), kind: 'cleanup', ok: false, detail: `cleanup failed: ${describeError(err)}` };
    }
    log.info({ key, ok: action.ok, detail: action.detail }, 'disk cleanup done');
    await incidents.recordAction(key, action);
  };

  const onChange = (change: IncidentChange): void => {
    const { incident } = change;
    if (incident.topic !== 'disk-usage' || incident.severity !== 'critical') return;
    if (change.kind !== 'opened' && change.kind !== 'escalated') return;
    if (running.has(incident.key)) return;
    const work = cleanup(incident.key, incident.subject)
      .catch((err: unknown) => log.error({ err, key: incident.key }, 'disk cleanup failed'))
      .finally(() => running.delete(incident.key));
    running.set(incident.key, work);
  };

  let stopping: Promise<void> | undefined;
  return {
    name: 'disk-cleanup',
    start: () => {
      unsubscribe ??= incidents.subscribe(onChange);
      return Promise.resolve();
    },
    stop: () =>
      (stopping ??= (async () => {
        unsubscribe?.();
        await Promise.all(running.values());
      })()),
  };
}
