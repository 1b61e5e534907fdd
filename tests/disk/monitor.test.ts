import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDiskMonitor } from '../../src/disk/monitor.ts';
import { measureDisk, type DiskUsage } from '../../src/disk/usage.ts';
import { fillRate } from '../../src/disk/forecast.ts';
import { createTracker, type IncidentTracker } from '../../src/incidents/tracker.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { findUnresolvedIncident } from '../../src/store/incidents.ts';
import { captureLogger } from '../helpers/logger.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { configFrom } from '../helpers/service.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const gb = 1024 ** 3;
const minute = 60_000;

describe('disk monitor', () => {
  let store: Store;
  let clock: ManualClock;
  let tracker: IncidentTracker;
  beforeEach(async () => {
    store = await openStore(`sqlite:${path.join(tempDir(), 'warden.db')}`);
    clock = new ManualClock();
    tracker = createTracker({ store, clock, log: captureLogger().log });
  });
  afterEach(async () => {
    await store.close();
  });

  /** A monitor of `/data` reading the used bytes of `series` in turn, one per minute. */
  const monitorOf = (series: number[], totalBytes = 100 * gb) => {
    let i = 0;
    const measure = (p: string): Promise<DiskUsage> => {
      const usedBytes = series[Math.min(i++, series.length - 1)]!;
      return Promise.resolve({
        path: p,
        totalBytes,
        usedBytes,
        availableBytes: totalBytes - usedBytes,
        usedRatio: usedBytes / totalBytes,
      });
    };
    const config = configFrom(`disk:\n  paths: [/data]\n  interval: 1m\n  forecast: 24h\n`);
    const part = createDiskMonitor({
      config: config.disk as typeof config.disk & { paths: string[] },
      store,
      incidents: {
        observe: (key, reading) => tracker.observe(key, reading),
        severityOf: async (key) => (await findUnresolvedIncident(store.db, key))?.severity ?? null,
      },
      clock,
      log: captureLogger().log,
      consumers: () => [],
      measure,
    });
    return { part, reads: () => i };
  };

  /** Runs the monitor for `samples` readings, one a minute. */
  const run = async (monitor: ReturnType<typeof monitorOf>, samples: number) => {
    await monitor.part.start();
    for (let n = 1; n < samples; n++) {
      while (monitor.reads() < n || clock.sleeping === 0) await new Promise((r) => setTimeout(r, 2));
      await clock.advance(minute);
    }
    while (monitor.reads() < samples || clock.sleeping === 0) await new Promise((r) => setTimeout(r, 2));
    await monitor.part.stop();
  };

  it('reads this machine like df does', async () => {
    const usage = await measureDisk(tempDir());
    expect(usage.totalBytes).toBeGreaterThan(0);
    expect(usage.usedRatio).toBeGreaterThan(0);
    expect(usage.usedRatio).toBeLessThan(1);
  });

  it('fits the fill rate by least squares', () => {
    const points = [0, 1, 2, 3, 4].map((h) => ({
      at: h * 3_600_000,
      usedBytes: 10 * gb + h * gb + (h % 2) * 0.1 * gb,
    }));
    // the alternating 0.1 GB noise cancels out in the fit
    expect(fillRate(points)! * 3_600_000).toBeCloseTo(gb, -3);
    expect(fillRate(points.slice(0, 2))).toBeNull();
  });

  it('opens disk-forecast with an ETA within 10% for a disk filling at a steady rate', async () => {
    const start = 10 * gb;
    const perMinute = 100 * 1024 ** 2;
    const series = Array.from({ length: 20 }, (_, n) => start + n * perMinute);
    await run(monitorOf(series), 20);
    const incident = await findUnresolvedIncident(store.db, 'disk-forecast:/data');
    const match = /full in ~(\d+)h (\d+)m at 5\.9GB\/h/.exec(incident?.detail ?? '');
    expect(match, incident?.detail).not.toBeNull();
    const etaMs = (Number(match![1]) * 60 + Number(match![2])) * minute;
    const trueEtaMs = ((100 * gb - series.at(-1)!) / perMinute) * minute;
    expect(Math.abs(etaMs - trueEtaMs) / trueEtaMs).toBeLessThan(0.1);
    // 29% used: no usage incident
    expect(await findUnresolvedIncident(store.db, 'disk-usage:/data')).toBeNull();
  });

  it('opens disk-usage at warn and critical with hysteresis, and resolves only below the line', async () => {
    const pct = (p: number) => p * gb;
    const severities: Array<string | null> = [];
    const series = [79, 81, 79, 91, 88, 86, 78, 76].map(pct);
    const monitor = monitorOf(series);
    await monitor.part.start();
    for (let n = 1; n <= series.length; n++) {
      while (monitor.reads() < n || clock.sleeping === 0) await new Promise((r) => setTimeout(r, 2));
      severities.push((await findUnresolvedIncident(store.db, 'disk-usage:/data'))?.severity ?? null);
      await clock.advance(minute);
    }
    await monitor.part.stop();
    // 79% after 81%: still warning (clears below 77%); 88% after 91%: still critical (clears below 87%)
    expect(severities).toEqual([null, 'warning', 'warning', 'critical', 'critical', 'warning', 'warning', null]);
  });
});
