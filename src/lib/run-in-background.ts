import type { Logger } from './logger.ts';

/**
 * The one way to start work nobody awaits: its failure is logged, never lost and never an
 * unhandled rejection.
 */
export function runInBackground(log: Logger, task: string, work: () => Promise<unknown>): void {
  work().catch((err: unknown) => {
    log.error({ err, task }, 'background task failed');
  });
}
