import fs from 'node:fs';
import path from 'node:path';
import { Cron } from 'croner';
import { z } from 'zod';
import { severities } from '../incidents/types.ts';
import { filePath, type SchemaContext } from './context.ts';
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

export const postgresUrl = z.string({ error: 'must be a postgres:// URL' }).superRefine((url, ctx) => {
  const problem = postgresUrlProblem(url);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

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

/** setTimeout fires at once past this (2^31−1 ms, about 24.8 days). */
export const longestTimerMs = 2 ** 31 - 1;

/**
 * A duration with bounds, each violation one line naming the limit:
 * `interval: 0s` → `must be at least 1s`.
 */
export function boundedDuration(example: string, bounds: { min?: number; max?: number; why?: string }) {
  return duration(example).superRefine((ms, ctx) => {
    if (bounds.min !== undefined && ms < bounds.min)
      ctx.addIssue({ code: 'custom', message: `must be at least ${formatMs(bounds.min)}${why(bounds.why)}` });
    if (bounds.max !== undefined && ms > bounds.max)
      ctx.addIssue({ code: 'custom', message: `must be at most ${formatMs(bounds.max)}${why(bounds.why)}` });
  });
}

const why = (text: string | undefined): string => (text ? ` (${text})` : '');

function formatMs(ms: number): string {
  if (ms === longestTimerMs) return '24d';
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const)
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/**
 * What pm2 would read as a selector instead of one app: `all`, a pm_id (`0`), a namespace
 * (`default`), a regular expression (`/api.*\/`), a list (`a,b`). Restarting one would restart many.
 */
export function pm2SelectorProblem(name: string): string | null {
  if (/^(all|default)$/i.test(name)) return `"${name}" is a pm2 selector (it means many apps); name one app`;
  if (/^\d+$/.test(name)) return `"${name}" is a pm2 id, not an app name; pm2 ids change on delete, name the app`;
  if (!/^[\w@][\w.@-]*$/.test(name))
    return `"${name}" is not a plain pm2 app name (letters, digits, . _ - @); pm2 would read it as a selector`;
  return null;
}

/**
 * Kernel pseudo-filesystems: creating folders there never ends (mkdir under /proc spins). The
 * nearest folder that exists is resolved too, so a symlink into /proc is caught as well.
 */
export function pseudoFilesystemProblem(absolute: string): string | null {
  const under = (p: string): string | undefined => /^\/(proc|sys|dev)(\/|$)/.exec(p)?.[1];
  const kernel = under(absolute) ?? under(realExistingAncestor(absolute));
  return kernel ? `must not be under /${kernel} (a kernel filesystem); use a folder like ./data` : null;
}

function realExistingAncestor(absolute: string): string {
  for (let dir = absolute; ; dir = path.dirname(dir)) {
    try {
      return fs.realpathSync(dir);
    } catch {
      if (dir === path.dirname(dir)) return dir;
    }
  }
}

/** `postgres://…` that the driver can parse: checked at load, so a typo exits 78, not at connect time. */
export function postgresUrlProblem(url: string): string | null {
  try {
    const parsed = new URL(url);
    if (!/^postgres(ql)?:$/.test(parsed.protocol))
      return 'must be a postgres:// URL like postgres://user:${PGPASSWORD}@127.0.0.1:5432/db';
    if (!parsed.hostname) return 'must name a host, like postgres://user:${PGPASSWORD}@127.0.0.1:5432/db';
    return null;
  } catch {
    return 'must be a valid postgres:// URL like postgres://user:${PGPASSWORD}@127.0.0.1:5432/db (check brackets, @ and : in it)';
  }
}

/** A path warden creates folders and files under: never a kernel filesystem. */
export function writablePath(context: SchemaContext) {
  return filePath(context).superRefine((absolute, ctx) => {
    const problem = pseudoFilesystemProblem(absolute);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}
