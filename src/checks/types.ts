import type { z } from 'zod';

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
 * A pm2 app as warden needs it: a handful of named fields, never the raw pm2 object (that one
 * carries the app's whole environment, secrets included).
 * @example { name: 'api', pmId: 0, pid: 4242, status: 'online', restarts: 2, unstableRestarts: 0, startedAt: 1764300725000, createdAt: 1764300000000, exitCode: 0, errLogPath: '/root/.pm2/logs/api-error.log', autorestart: true }
 */
export interface Pm2AppInfo {
  name: string;
  pmId: number;
  pid: number | null;
  /** pm2's status: online, launching, stopping, stopped, errored, waiting restart, one-launch-status. */
  status: string;
  restarts: number;
  unstableRestarts: number;
  /** When the current process started (pm2's `pm_uptime`). */
  startedAt: number | null;
  createdAt: number | null;
  exitCode: number | null;
  errLogPath: string | null;
  autorestart: boolean;
  /** How long pm2 waits for the app to exit on stop/restart before it sends SIGKILL. */
  killTimeoutMs: number;
}

/**
 * Read access to the pm2 daemon of PM2_HOME. `describe` rejects with a one-line reason
 * (`pm2 daemon not running (PM2_HOME=/root/.pm2)`) when there is no daemon to ask.
 * @example const app = await pm2.describe('api', signal) // null when pm2 has no such app
 */
export interface Pm2Reader {
  describe(app: string, signal?: AbortSignal): Promise<Pm2AppInfo | null>;
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
