import { z } from 'zod';
import { filePath, type SchemaContext } from '../config/context.ts';
import { boundedDuration, cronPattern, duration, longestTimerMs, rate, severity, size } from '../config/fields.ts';

const logPattern = z
  .strictObject({
    match: z.string().superRefine((source, ctx) => {
      try {
        new RegExp(source);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `must be a regular expression (${(err as Error).message})` });
      }
    }),
    threshold: z.number().int().min(1).default(1),
    window: duration('5m').prefault('5m'),
    severity: severity.default('warning'),
  })
  .transform(({ window, ...rest }) => ({ ...rest, windowMs: window }));

/** The `logs` section: what to watch, when to rotate, what to keep. */
export function logsConfig(context: SchemaContext) {
  const file = filePath(context);
  return z
    .strictObject({
      watch: z.array(file).prefault(['logs/*.log']),
      /** pm2's own app logs are watched too when some service is pm2-managed. */
      pm2: z.boolean().default(true),
      interval: boundedDuration('30s', { min: 1000, max: longestTimerMs }).prefault('30s'),
      maxSize: size('100MB').prefault('100MB'),
      growthAlert: rate.optional(),
      patterns: z.array(logPattern).default([]),
      rotate: z
        .strictObject({
          compress: z.boolean().default(true),
          mode: z.enum(['rename', 'copytruncate'], { error: 'must be rename or copytruncate' }).default('rename'),
          /** Makes a non-pm2 writer reopen its log after a rename (e.g. `kill -HUP $(cat app.pid)`). */
          command: z.string().min(1).optional(),
        })
        .prefault({})
        .transform(({ command, ...rest }) => ({ ...rest, command: command ?? null })),
      retain: z
        .strictObject({
          count: z.number().int().min(0).default(10),
          maxAge: duration('14d').prefault('14d'),
          maxTotal: size('1GB').optional(),
        })
        .prefault({})
        .transform(({ count, maxAge, maxTotal }) => ({ count, maxAgeMs: maxAge, maxTotalBytes: maxTotal ?? null })),
      pruneSchedule: cronPattern.default('0 30 3 * * *'),
    })
    .prefault({})
    .transform(({ maxSize, growthAlert, interval, ...rest }) => ({
      ...rest,
      intervalMs: interval,
      maxSizeBytes: maxSize,
      growthAlert: growthAlert ? { bytes: growthAlert.bytes, perMs: growthAlert.perMs } : null,
    }));
}

export type LogsConfig = z.output<ReturnType<typeof logsConfig>>;
export type LogPattern = LogsConfig['patterns'][number];
