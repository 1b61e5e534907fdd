import fs from 'node:fs';
import { formatSize } from '../../config/units.ts';
import { describeError } from '../../lib/errors.ts';
import type { StatusSection } from './types.ts';

export const diskStatus: StatusSection = {
  key: 'disk',
  title: 'Disk',
  read({ config }) {
    const paths = config.disk.paths.map((p) => {
      try {
        const s = fs.statfsSync(p);
        const total = s.blocks * s.bsize;
        const free = s.bavail * s.bsize;
        const usedRatio = total > 0 ? (total - s.bfree * s.bsize) / (total - s.bfree * s.bsize + free) : 0;
        return {
          path: p,
          usedRatio: Math.round(usedRatio * 1000) / 1000,
          freeBytes: free,
          totalBytes: total,
          error: null,
        };
      } catch (err) {
        const error = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : describeError(err);
        return { path: p, usedRatio: null, freeBytes: null, totalBytes: null, error };
      }
    });
    const lines = paths.map((p) =>
      p.error !== null
        ? `${p.path}: ${p.error}`
        : `${p.path.padEnd(20)} ${Math.round(p.usedRatio! * 100)}% used, ${formatSize(p.freeBytes!)} free of ${formatSize(p.totalBytes!)}`,
    );
    return Promise.resolve({ json: paths, lines });
  },
};
