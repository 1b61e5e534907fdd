import { z } from 'zod';
import { filePath, type SchemaContext } from '../config/context.ts';
import { boundedDuration, duration, longestTimerMs, ratio } from '../config/fields.ts';

/**
 * The `disk` section. `paths` stays null when unset: the composed schema fills in `/` and the
 * backups folder, which this fragment does not know.
 */
export function diskConfig(context: SchemaContext) {
  return z
    .strictObject({
      paths: z.array(filePath(context)).optional(),
      warn: ratio('80%').prefault('80%'),
      critical: ratio('90%').prefault('90%'),
      interval: boundedDuration('60s', { min: 1000, max: longestTimerMs }).prefault('60s'),
      forecast: duration('24h').prefault('24h'),
    })
    .prefault({})
    .superRefine((disk, ctx) => {
      if (disk.warn >= disk.critical)
        ctx.addIssue({ code: 'custom', path: ['warn'], message: 'must be below disk.critical' });
    })
    .transform(({ paths, warn, critical, interval, forecast }) => ({
      paths: paths ?? null,
      warnRatio: warn,
      criticalRatio: critical,
      intervalMs: interval,
      forecastMs: forecast,
    }));
}

export type DiskConfig = z.output<ReturnType<typeof diskConfig>> & { paths: string[] };
