import { Cron } from 'croner';
import { z } from 'zod';
import { severities } from '../incidents/types.ts';
import { parseDuration, parseRatio, parseRate, parseSize, parseTimeRange } from './units.ts';

function unit<T>(parse: (text: string) => T | undefined, expected: string) {
  return z.string({ error: `must be ${expected}` }).transform((text, ctx): T => {
    const value = parse(text);
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: `must be ${expected}` });
      return z.NEVER;
    }
    return value;
  });
}

/** A duration written like `30s`, parsed to milliseconds. */
export const duration = (example: string) => unit(parseDuration, `a duration like ${example}`);
/** A size written like `100MB`, parsed to bytes. */
export const size = (example: string) => unit(parseSize, `a size like ${example}`);
/** A ratio written like `80%`, parsed to 0.8. */
export const ratio = (example: string) => unit(parseRatio, `a percentage like ${example}`);
export const rate = unit(parseRate, 'a rate like 500MB/h');
export const timeRange = unit(parseTimeRange, 'a time range like 23:00-07:00');

export const severity = z.enum(severities, {
  error: `must be one of: ${severities.join(', ')}`,
});

export const postgresUrl = z
  .string({ error: 'must be a postgres:// URL' })
  .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// URL like postgres://user:${PGPASSWORD}@127.0.0.1:5432/db');

export const cronPattern = z
  .string({ error: 'must be a cron pattern like 0 0 3 * * *' })
  .superRefine((pattern, ctx) => {
    try {
      new Cron(pattern, { paused: true }).stop();
    } catch (err) {
      ctx.addIssue({
        code: 'custom',
        message: `must be a cron pattern like 0 0 3 * * * (${(err as Error).message})`,
      });
    }
  });

export function isValidTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}
