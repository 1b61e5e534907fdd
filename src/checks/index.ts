import type { z } from 'zod';
import type { CheckConfig } from '../config/schema.ts';
import { describeError } from '../lib/errors.ts';
import { command } from './command.ts';
import { http } from './http.ts';
import type { checkOptions } from './options.ts';
import { pm2 } from './pm2.ts';
import { postgres } from './postgres.ts';
import type { CheckKind, CheckResult, CheckTarget } from './types.ts';
import { tcp } from './tcp.ts';

type Options = typeof checkOptions;

/** Every check kind; a new kind is its file, one line here and one in options.ts (the config side). */
export const checkKinds = { http, tcp, command, postgres, pm2 } satisfies {
  [K in keyof Options]: CheckKind<z.output<Options[K]>>;
};

/** How long past its own timeout a kind may run before the registry gives up on it. */
const overrunMs = 2000;

/**
 * Runs a service's check. Whatever the kind does, this never throws and settles by the kind's
 * timeout (plus a margin): the scheduler must never wait on a stuck probe.
 */
export async function runCheck(check: CheckConfig, signal: AbortSignal, target: CheckTarget): Promise<CheckResult> {
  const timeoutMs = 'timeoutMs' in check.options ? check.options.timeoutMs : 10_000;
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          ok: false,
          detail: `${check.kind} check of ${target.service} did not finish within ${timeoutMs + overrunMs}ms`,
          latencyMs: Math.round(performance.now() - started),
        }),
      timeoutMs + overrunMs,
    );
  });
  try {
    return await Promise.race([runKind(check, signal, target), overrun]);
  } catch (err) {
    return {
      ok: false,
      detail: `${check.kind} check of ${target.service} failed: ${describeError(err)}`,
      latencyMs: Math.round(performance.now() - started),
    };
  } finally {
    clearTimeout(timer);
  }
}

function runKind(check: CheckConfig, signal: AbortSignal, target: CheckTarget): Promise<CheckResult> {
  // the config pairs each kind with its own options, which TypeScript cannot follow through the lookup
  const kind = checkKinds[check.kind] as CheckKind<CheckConfig['options']>;
  return kind.run(check.options, signal, target);
}
