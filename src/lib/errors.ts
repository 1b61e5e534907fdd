/**
 * A failure the operator can fix (unreachable database, missing pg_dump, wrong token). The CLI
 * prints `message` as one line — what failed, where, and the fix — never a stack trace.
 * @example new WardenError('STORE_UNREACHABLE', 'store 127.0.0.1:5433: connection refused — is PostgreSQL running? check store.url')
 */
export class WardenError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WardenError';
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
