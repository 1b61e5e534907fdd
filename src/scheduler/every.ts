import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { Part } from '../lib/part.ts';
import { runInBackground } from '../lib/run-in-background.ts';

export interface EveryOptions {
  name: string;
  intervalMs: number;
  /** Each wait is stretched by up to this fraction, so many loops started together drift apart. */
  jitterRatio?: number;
  clock: Clock;
  log: Logger;
  /** One run; the next starts `intervalMs` after this one ends, so runs never overlap. */
  run(signal: AbortSignal): Promise<void>;
}

/** An interval loop as a Part: runs at start, then after each interval; `stop()` waits for the run in flight. */
export function every(options: EveryOptions): Part {
  const controller = new AbortController();
  let loop: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;

  const runLoop = async (): Promise<void> => {
    const { signal } = controller;
    while (!signal.aborted) {
      try {
        await options.run(signal);
      } catch (err) {
        if (!signal.aborted) options.log.error({ err, loop: options.name }, 'scheduled run failed');
      }
      const jitter = options.intervalMs * (options.jitterRatio ?? 0) * Math.random();
      try {
        await options.clock.sleep(options.intervalMs + jitter, signal);
      } catch {
        return;
      }
    }
  };

  return {
    name: options.name,
    start: () => {
      loop ??= runLoop();
      runInBackground(options.log, options.name, () => loop!);
      return Promise.resolve();
    },
    stop: () =>
      (stopping ??= (async () => {
        controller.abort(new Error(`${options.name} stopped`));
        await loop;
      })()),
  };
}
