import type { Part } from '../lib/part.ts';

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
  /** Absent where an app info was built by hand (tests). */
  outLogPath?: string | null;
  /** pm2's cluster mode: the app's workers write their own logs. Absent where built by hand (tests). */
  clusterMode?: boolean;
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
 * One `process:event` from pm2's bus, reduced to named fields.
 * @example { event: 'exit', manually: false, at: 1764300725000, app: { name: 'api', status: 'stopped', exitCode: 1, … } }
 */
export interface Pm2ProcessEvent {
  /** online, exit, start, stop, restart, reload, delete, 'restart overlimit', … */
  event: string;
  manually: boolean;
  at: number;
  app: Pm2AppInfo;
  /** On an `exit`: the signal that ended the app (`SIGKILL`), null for an exit with a code or when unknown. */
  signal?: string | null;
}

/** A chunk an app wrote to stderr, as pm2's bus relays it. */
export interface Pm2ErrorOutput {
  app: string;
  at: number;
  text: string;
}

/**
 * One chunk pm2's daemon relayed on its bus, in bus order: an app's stdout or stderr exactly as pm2
 * writes it to the app's log, or a line of the daemon's own console.
 * @example { pmId: 0, stream: 'out', text: 'listening on 3000\n' }
 */
export interface Pm2Output {
  /** null for the daemon's own lines. */
  pmId: number | null;
  stream: 'out' | 'err' | 'daemon';
  text: string;
}

/**
 * warden's connection to the pm2 daemon of PM2_HOME. It only ever attaches to a daemon that is
 * already running (pm2's own `connect()` would start one), re-attaches when the daemon comes back,
 * and every call is bounded by a timeout because calls on a dead daemon hang without an error.
 * @example const client = createPm2Client({ home, log, clock }); await client.start(); await client.describe('api')
 */
export interface Pm2Client extends Part, Pm2Reader {
  readonly home: string;
  attached(): boolean;
  list(signal?: AbortSignal): Promise<Pm2AppInfo[]>;
  restart(app: string, signal?: AbortSignal): Promise<void>;
  /** Has every app reopen its log files (after warden renamed them aside). */
  reloadLogs(signal?: AbortSignal): Promise<void>;
  /**
   * Whether warden asked pm2 to restart this app in the last `restartRequestTtlMs` and that request
   * was not claimed yet; claims it. Tells warden's restarts from an operator's in the log.
   */
  claimRestartRequest(app: string): boolean;
  onEvent(listener: (event: Pm2ProcessEvent) => void): void;
  onErrorOutput(listener: (output: Pm2ErrorOutput) => void): void;
  /** Every app's output and the daemon's console, in bus order, until the returned function is called. */
  onOutput(listener: (output: Pm2Output) => void): () => void;
  /** Called on every attach, the first and each one after the daemon came back. */
  onAttach(listener: () => void): void;
  onDetach(listener: () => void): void;
}
