import { WardenError } from '../lib/errors.ts';

/**
 * A backup, verification or restore that failed for a reason the operator can act on. `excerpt`
 * carries the tool's own words (pg_dump's stderr) into the incident.
 * @example new BackupError('pg_dump exited with code 1', 'pg_dump: error: connection refused')
 */
export class BackupError extends WardenError {
  constructor(
    message: string,
    readonly excerpt: string | null = null,
    options?: { cause?: unknown },
  ) {
    super('BACKUP_FAILED', message, options);
    this.name = 'BackupError';
  }
}
