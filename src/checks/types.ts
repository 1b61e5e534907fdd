import type { z } from 'zod';
import type { Pm2Reader } from '../pm2/types.ts';

/**
 * What one check observed. A check never throws: every failure is `ok: false` with a one-line
 * `detail` an operator can act on.
 * @example { ok: false, detail: 'GET http://127.0.0.1:3000/healthz: timed out after 5000ms', latencyMs: 5001 }
 */
export interface CheckResult {
  ok: boolean;
  detail: string;
  latencyMs: number;
  /** Output worth showing in the alert (command output, error log lines), raw and untrimmed. */
  excerpt?: string;
}

/**
 * What a check knows about the service it probes, beyond its own options.
 * @example { service: 'api', pm2App: 'api', pm2: client }
 */
export interface CheckTarget {
  service: string;
  /** The pm2 app name when the service is pm2-managed. */
  pm2App: string | null;
  pm2: Pm2Reader | null;
}

/**
 * One kind of check: its option schema (the config is built from it) and a probe that never
 * throws and always ends by its timeout or when `signal` aborts.
 * @example export const tcp = { options: tcpOptions, run: probeTcp } satisfies CheckKind<TcpOptions>
 */
export interface CheckKind<O> {
  options: z.ZodType<O>;
  run(options: O, signal: AbortSignal, target: CheckTarget): Promise<CheckResult>;
}

/** Any registered kind, whatever its options: what the registry and the config schema work with. */
export interface RegisteredCheckKind {
  options: z.ZodType;
  run(options: never, signal: AbortSignal, target: CheckTarget): Promise<CheckResult>;
}
