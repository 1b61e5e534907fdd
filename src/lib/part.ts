import type { Logger } from './logger.ts';

/**
 * A long-lived piece of the daemon (scheduler, watcher, HTTP server, dispatcher). `stop()` is
 * idempotent and waits for work in flight.
 * @example const parts: Part[] = [httpServer, every({ name: 'disk', … })]
 */
export interface Part {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Stops a part; a failure is logged so the remaining parts still stop. */
export async function stopQuietly(part: Part, log: Logger): Promise<void> {
  try {
    await part.stop();
  } catch (err) {
    log.error({ err, part: part.name }, 'part failed to stop');
  }
}
