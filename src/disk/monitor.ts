import { formatDuration, formatSize } from '../config/units.ts';
import type { Reading, Severity } from '../incidents/types.ts';
import type { Clock } from '../lib/clock.ts';
import { describeError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { Part } from '../lib/part.ts';
import { every } from '../scheduler/every.ts';
import type { Store } from '../store/db.ts';
import { addDiskSample, diskSamples } from '../store/disk-samples.ts';
import type { DiskConfig } from './config.ts';
import { consumersOn, describeConsumers, type Consumer } from './consumers.ts';
import { forecastFull } from './forecast.ts';
import { measureDisk, type DiskUsage } from './usage.ts';

/**
 * What the disk monitor needs of the incident tracker: level-triggered readings, and the severity
 * the store holds for a key, so hysteresis survives a restart.
 * @example await incidents.observe('disk-usage:/', { ok: false, detail: '91% used', severity: 'critical' })
 */
export interface DiskIncidents {
  observe(key: string, reading: Reading): Promise<unknown>;
  severityOf(key: string): Promise<Severity | null>;
}

export interface DiskMonitorOptions {
  config: DiskConfig;
  store: Store;
  incidents: DiskIncidents;
  clock: Clock;
  log: Logger;
  /** Folders warden fills (log roots, backups), named in the alert with their sizes. */
  consumers: () => readonly Consumer[];
  measure?: (path: string) => Promise<DiskUsage>;
  /** How far back the fill-rate fit looks [2h]. */
  forecastWindowMs?: number;
}

/** An incident resolves only this far below the line that opened it, so usage near a line does not flap. */
export const hysteresisRatio = 0.03;
/** An open forecast resolves only once the projected fill is this much beyond the horizon. */
const forecastClearFactor = 1.25;
const minForecastPoints = 5;

/** Usage of each configured path every `interval`: `disk-usage` by threshold, `disk-forecast` by trend. */
export function createDiskMonitor(options: DiskMonitorOptions): Part {
  const { config, store, incidents, clock } = options;
  const log = options.log.child({ part: 'disk' });
  const measure = options.measure ?? measureDisk;
  const windowMs = options.forecastWindowMs ?? 2 * 3_600_000;

  const level = (ratio: number, current: Severity | null): Severity | null => {
    if (ratio >= config.criticalRatio || (current === 'critical' && ratio >= config.criticalRatio - hysteresisRatio))
      return 'critical';
    if (ratio >= config.warnRatio || (current !== null && ratio >= config.warnRatio - hysteresisRatio))
      return 'warning';
    return null;
  };

  const checkPath = async (path: string): Promise<void> => {
    const usage = await measure(path);
    const at = clock.now();
    await addDiskSample(store, path, { at, usedBytes: usage.usedBytes, totalBytes: usage.totalBytes }, at - windowMs);
    const percent = `${Math.round(usage.usedRatio * 100)}% used, ${formatSize(usage.availableBytes)} free of ${formatSize(usage.totalBytes)}`;

    const usageKey = `disk-usage:${path}`;
    const severity = level(usage.usedRatio, await incidents.severityOf(usageKey));
    const excerpt = severity ? describeConsumers(await consumersOn(path, options.consumers())) : null;
    await incidents.observe(
      usageKey,
      severity ? { ok: false, detail: percent, severity, excerpt } : { ok: true, detail: percent },
    );

    const forecastKey = `disk-forecast:${path}`;
    const points = await diskSamples(store, path, at - windowMs);
    const trend =
      points.length >= minForecastPoints ? forecastFull(points, usage.usedBytes + usage.availableBytes) : null;
    const forecastOpen = (await incidents.severityOf(forecastKey)) !== null;
    const horizon = config.forecastMs * (forecastOpen ? forecastClearFactor : 1);
    if (trend && trend.msUntilFull <= horizon) {
      const perHour = formatSize(trend.bytesPerMs * 3_600_000);
      await incidents.observe(forecastKey, {
        ok: false,
        detail: `full in ~${formatDuration(Math.round(trend.msUntilFull))} at ${perHour}/h (${percent})`,
        excerpt: excerpt ?? describeConsumers(await consumersOn(path, options.consumers())),
      });
    } else {
      await incidents.observe(forecastKey, {
        ok: true,
        detail: trend
          ? `full in ~${formatDuration(Math.round(trend.msUntilFull))} at the current trend`
          : 'not filling',
      });
    }
  };

  return every({
    name: 'disk',
    intervalMs: config.intervalMs,
    clock,
    log,
    run: async () => {
      for (const path of config.paths) {
        try {
          await checkPath(path);
        } catch (err) {
          log.warn({ path, err: describeError(err) }, 'disk usage unreadable');
        }
      }
    },
  });
}
