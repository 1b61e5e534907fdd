import { z } from 'zod';
import { formatDuration } from '../config/units.ts';
import { describeError } from '../lib/errors.ts';
import { stopwatch } from './elapsed.ts';
import type { CheckKind, CheckResult, CheckTarget } from './types.ts';

/** `check: { pm2: {} }` (or `pm2:` with no value): the service's pm2 process is online. */
export const pm2Options = z
  .strictObject({})
  .nullable()
  .transform(() => ({}));
export type Pm2Options = z.output<typeof pm2Options>;

/** pm2 reports the app `online`. */
export async function probePm2(_options: Pm2Options, signal: AbortSignal, target: CheckTarget): Promise<CheckResult> {
  const elapsed = stopwatch();
  const name = target.pm2App ?? target.service;
  const fail = (detail: string): CheckResult => ({ ok: false, detail, latencyMs: elapsed() });
  if (!target.pm2) return fail(`pm2 app ${name}: warden is not attached to pm2`);
  try {
    const app = await target.pm2.describe(name, signal);
    if (!app) return fail(`pm2 app ${name}: not found in pm2 (pm2 start it, or fix services.${target.service}.pm2)`);
    const restarts = `${app.restarts} restart${app.restarts === 1 ? '' : 's'}`;
    if (app.status !== 'online') return fail(`pm2 app ${name}: ${app.status} (${restarts})`);
    const latencyMs = elapsed();
    const up = app.startedAt !== null ? `, up ${formatDuration(Date.now() - app.startedAt)}` : '';
    return { ok: true, detail: `pm2 app ${name}: online (pid ${app.pid ?? '?'}${up}, ${restarts})`, latencyMs };
  } catch (err) {
    return fail(describeError(err));
  }
}

export const pm2 = { options: pm2Options, run: probePm2 } satisfies CheckKind<Pm2Options>;
