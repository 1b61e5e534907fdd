import { z } from 'zod';
import { duration, longestTimerMs } from '../../config/fields.ts';
import { restartDrivers, type RestartStrategy } from './index.ts';

const strategies = Object.keys(restartDrivers) as [RestartStrategy, ...RestartStrategy[]];

const backoff = z.string({ error: 'must be a range like 10s..5m' }).transform((text, ctx) => {
  const [low, high] = text.split('..').map((part) => duration('10s').safeParse(part.trim()).data);
  if (low === undefined || high === undefined || low > high) {
    ctx.addIssue({ code: 'custom', message: 'must be a range like 10s..5m (initial..maximum delay)' });
    return z.NEVER;
  }
  return { initialMs: low, maxMs: high };
});

/** `services.<name>.restart`; the strategy, when not set, is chosen with the service (pm2-managed or not). */
export const restartSchema = z
  .strictObject({
    strategy: z.enum(strategies, { error: `must be one of: ${strategies.join(', ')}` }).optional(),
    command: z.string().min(1).optional(),
    backoff: backoff.prefault('10s..5m').superRefine(({ maxMs }, ctx) => {
      if (maxMs > longestTimerMs) ctx.addIssue({ code: 'custom', message: 'the maximum delay must be at most 24d' });
    }),
    maxRestarts: z.number().int().min(1).default(5),
    window: duration('30m').prefault('30m'),
  })
  .superRefine((restart, ctx) => {
    if (restart.strategy === 'command' && !restart.command)
      ctx.addIssue({ code: 'custom', path: ['command'], message: 'is required when strategy is command' });
  })
  .prefault({});
