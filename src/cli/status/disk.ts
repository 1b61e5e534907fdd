import { formatDuration, formatSize } from '../../config/units.ts';
import { forecastFull } from '../../disk/forecast.ts';
import { measureDisk } from '../../disk/usage.ts';
import { describeError } from '../../lib/errors.ts';
import { diskSamples } from '../../store/disk-samples.ts';
import type { StatusSection } from './types.ts';

/** The trend `warden status` shows looks as far back as the daemon's forecast does. */
const trendWindowMs = 2 * 3_600_000;

export const diskStatus: StatusSection = {
  key: 'disk',
  title: 'Disk',
  async read({ config, store, now }) {
    const paths = await Promise.all(
      config.disk.paths.map(async (p) => {
        try {
          const usage = await measureDisk(p);
          // the daemon's samples: empty when it has not run lately
          const points = await diskSamples(store, p, now - trendWindowMs);
          const trend = points.length >= 5 ? forecastFull(points, usage.usedBytes + usage.availableBytes) : null;
          return {
            path: p,
            usedRatio: Math.round(usage.usedRatio * 1000) / 1000,
            freeBytes: usage.availableBytes,
            totalBytes: usage.totalBytes,
            fullInMs: trend ? Math.round(trend.msUntilFull) : null,
            bytesPerHour: trend ? Math.round(trend.bytesPerMs * 3_600_000) : null,
            error: null,
          };
        } catch (err) {
          const error = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : describeError(err);
          return {
            path: p,
            usedRatio: null,
            freeBytes: null,
            totalBytes: null,
            fullInMs: null,
            bytesPerHour: null,
            error,
          };
        }
      }),
    );
    const lines = paths.map((p) =>
      p.error !== null
        ? `${p.path}: ${p.error}`
        : `${p.path.padEnd(20)} ${Math.round(p.usedRatio! * 100)}% used, ${formatSize(p.freeBytes!)} free of ${formatSize(p.totalBytes!)}${
            p.fullInMs !== null ? `; full in ~${formatDuration(p.fullInMs)} at ${formatSize(p.bytesPerHour!)}/h` : ''
          }`,
    );
    return { json: paths, lines };
  },
};
