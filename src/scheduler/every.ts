import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { Part } from '../lib/part.ts';
import { runInBackground } from '../lib/run-in-background.ts';

export interface EveryOptions {
  name: string;
  intervalMs: number;
  /**
   * Each wait is stretched by up to this fraction, so many loops started together drift apart; the
   * wake-up itself falls on a grid (see `nextWait`).
   */
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
      try {
        await options.clock.sleep(nextWait(options), signal);
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

/** The coarsest grid a jittered loop wakes on. */
const gridMs = 1000;

/**
 * The wait after a run: the interval plus jitter, ending on a multiple of min(1 s, the jitter span)
 * since the epoch, so it stays within interval..interval × (1 + jitterRatio). Loops on the same
 * grid wake in one event-loop turn: 50 services checked every 5 s wake warden twice a second
 * instead of ten times, which halved its CPU (docs/benchmarks.md).
 */
function nextWait({ intervalMs, jitterRatio = 0, clock }: EveryOptions): number {
  const span = intervalMs * jitterRatio;
  if (span <= 0) return intervalMs;
  const grid = Math.min(gridMs, span);
  const now = clock.now();
  const at = now + intervalMs + (span - grid) * Math.random();
  return Math.ceil(at / grid) * grid - now;
}
