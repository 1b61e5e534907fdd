/**
 * Every code a WardenError carries, with the exit code the CLI ends with. Codes are stable: logs,
 * tests and operators' scripts may match on them, so rename one only with a note in the changelog.
 */
export const errorCodes = {
  /** The command line is wrong: a missing or extra argument, an unknown option or value (EX_USAGE). */
  USAGE: 64,
  /** The config file is missing or invalid; every problem is listed (EX_CONFIG). */
  CONFIG_INVALID: 78,
  /** warden's own store cannot be opened or migrated. */
  STORE_UNAVAILABLE: 1,
  /** Another `warden run` holds the store (one daemon per store). */
  STORE_LOCKED: 1,
  /** `warden ack` or `warden resolve` names no open incident. */
  NO_SUCH_INCIDENT: 1,
  /** No pm2 daemon runs for PM2_HOME. */
  PM2_UNAVAILABLE: 1,
  /** A pm2 call got no answer in time (the daemon is stuck or was killed). */
  PM2_TIMEOUT: 1,
  /** pm2 answered a call with an error (e.g. `process or namespace not found`). */
  PM2_FAILED: 1,
  /** A pm2 call was cancelled because warden is stopping. */
  PM2_ABORTED: 1,
  /** The /healthz and /metrics server cannot listen on http.listen. */
  HTTP_LISTEN: 1,
  /** A backup, its verification or a restore failed (pg_dump error, no space, checksum mismatch, refused destination). */
  BACKUP_FAILED: 1,
  /** A log was renamed for rotation but its writer did not reopen it (pm2 reloadLogs or logs.rotate.command failed). */
  LOG_REOPEN_FAILED: 1,
  /** `warden logs SERVICE` names a service pm2 does not manage, or an app pm2 does not know. */
  NOT_PM2: 1,
} as const;

export type ErrorCode = keyof typeof errorCodes;

/**
 * A failure the operator can fix (unreachable database, missing pg_dump, wrong token). The CLI
 * prints `message` as one line — what failed, where, and the fix — never a stack trace, and exits
 * with the code's exit code.
 * @example new WardenError('STORE_UNAVAILABLE', 'store 127.0.0.1:5433/warden: cannot connect (connect ECONNREFUSED 127.0.0.1:5433); check store.url')
 */
export class WardenError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WardenError';
  }

  get exitCode(): number {
    return errorCodes[this.code];
  }
}

/** The most useful one-line reason from any thrown value, including AggregateError from net. */
export function describeError(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return describeError(err.errors[0]);
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return err.message || code || err.name;
  }
  return String(err);
}
