import { z } from 'zod';
import type { SchemaContext } from '../config/context.ts';
import { boundedDuration, longestTimerMs, ratio } from '../config/fields.ts';

const loadPerCore = z.number({ error: 'must be a number (1-minute load average per core)' }).positive();

const hostObject = z.strictObject(
  {
    name: z.string().min(1).optional(),
    memory: z
      .strictObject({ warnBelow: ratio('10%').prefault('10%'), clearAbove: ratio('15%').prefault('15%') })
      .prefault({})
      .refine((m) => m.warnBelow < m.clearAbove, { path: ['clearAbove'], message: 'must be above memory.warnBelow' }),
    load: z
      .strictObject({ warnAbove: loadPerCore.default(2), clearBelow: loadPerCore.default(1.5) })
      .prefault({})
      .refine((l) => l.clearBelow < l.warnAbove, { path: ['clearBelow'], message: 'must be below load.warnAbove' }),
    samples: z.number().int().min(1).default(3),
    interval: boundedDuration('30s', { min: 1000, max: longestTimerMs }).prefault('30s'),
  },
  {
    error: (issue) =>
      issue.input === ''
        ? 'must not be empty'
        : 'must be a hostname, or an object with name, memory, load, samples, interval',
  },
);

/**
 * `host`: either the name shown in every alert (SPEC §3: `host: web-1`), or an object that also
 * holds the host-health thresholds (SPEC §8). Memory is the share of memory available; load is the
 * 1-minute load average per core.
 */
export function hostSchema(context: SchemaContext) {
  return z
    .preprocess((value) => (typeof value === 'string' && value !== '' ? { name: value } : value), hostObject)
    .prefault({})
    .transform(({ name, memory, load, samples, interval }) => ({
      name: name ?? context.hostname,
      health: {
        memoryWarnRatio: memory.warnBelow,
        memoryClearRatio: memory.clearAbove,
        loadWarnPerCore: load.warnAbove,
        loadClearPerCore: load.clearBelow,
        samples,
        intervalMs: interval,
      },
    }));
}

export type HostHealthConfig = z.output<ReturnType<typeof hostSchema>>['health'];
