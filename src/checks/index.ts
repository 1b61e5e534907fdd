import { describeError } from '../lib/errors.ts';
import { command } from './command.ts';
import type { CheckConfig } from './config.ts';
import { http } from './http.ts';
import { pm2 } from './pm2.ts';
import { postgres } from './postgres.ts';
import type { CheckResult, CheckTarget, RegisteredCheckKind } from './types.ts';
import { tcp } from './tcp.ts';

/**
 * Every check kind, by its config key. A new kind is its file and one line here: the config
 * schema (`checks/config.ts`) and `runCheck` are both built from this object.
 */
export const checkKinds = { http, tcp, command, postgres, pm2 } satisfies Record<string, RegisteredCheckKind>;
export type CheckKinds = typeof checkKinds;

/** How long past its own timeout a kind may run before the registry gives up on it. */
const overrunMs = 2000;

/**
 * Runs a service's check. Whatever the kind does, this never throws and settles by the kind's
 * timeout (plus a margin): the scheduler must never wait on a stuck probe.
 */
export async function runCheck(
  check: CheckConfig,
  signal: AbortSignal,
  target: CheckTarget,
  kinds: Record<string, RegisteredCheckKind> = checkKinds,
): Promise<CheckResult> {
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
    return await Promise.race([runKind(kinds, check, signal, target), overrun]);
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

async function runKind(
  kinds: Record<string, RegisteredCheckKind>,
  check: CheckConfig,
  signal: AbortSignal,
  target: CheckTarget,
): Promise<CheckResult> {
  const kind = kinds[check.kind];
  if (!kind) throw new Error(`no check kind ${check.kind} is registered`);
  // the config pairs each kind with its own options, which TypeScript cannot follow through the lookup
  const run = kind.run as (options: unknown, signal: AbortSignal, target: CheckTarget) => Promise<CheckResult>;
  return run(check.options, signal, target);
}
