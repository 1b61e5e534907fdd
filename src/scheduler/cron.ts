import { Cron } from 'croner';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { Part } from '../lib/part.ts';
import { runInBackground } from '../lib/run-in-background.ts';

export interface CronOptions {
  name: string;
  /** A croner pattern with seconds, e.g. `0 30 3 * * *` (03:30:00 every day). */
  pattern: string;
  /** IANA zone the pattern is read in (`timezone` from the config); the system's when unset. */
  timezone?: string | undefined;
  clock: Clock;
  log: Logger;
  /** One run; `scheduledAt` is the slot it was started for. */
  run(signal: AbortSignal, scheduledAt: number): Promise<void>;
}

/**
 * A scheduled job as a Part. Runs never overlap (croner's `protect`): a slot that passes while a run
 * is still going is skipped, not queued. Time comes from the Clock, so tests move it instead of
 * waiting; croner only computes the slots. `stop()` waits for a run in flight.
 * @example cron({ name: 'logs.prune', pattern: '0 30 3 * * *', timezone: 'Europe/Berlin', clock, log, run: (signal) => prune(signal) })
 */
export interface CronJob extends Part {
  /** The next slot after now, or null when the pattern has none left. */
  nextRunAt(): number | null;
}

export function cron(options: CronOptions): CronJob {
  const { clock, log } = options;
  // paused: croner's own timer never runs; it only answers "when is the next slot after t?"
  const schedule = new Cron(options.pattern, {
    paused: true,
    ...(options.timezone ? { timezone: options.timezone } : {}),
  });
  const controller = new AbortController();
  let loop: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;

  const nextAfter = (at: number): number | null => schedule.nextRun(new Date(at))?.getTime() ?? null;

  const runLoop = async (): Promise<void> => {
    const { signal } = controller;
    for (let next = nextAfter(clock.now()); next !== null && !signal.aborted; next = nextAfter(clock.now())) {
      try {
        await clock.sleep(Math.max(0, next - clock.now()), signal);
      } catch {
        return;
      }
      try {
        await options.run(signal, next);
      } catch (err) {
        if (!signal.aborted) log.error({ err, job: options.name }, 'scheduled job failed');
      }
    }
  };

  return {
    name: options.name,
    nextRunAt: () => nextAfter(clock.now()),
    start: () => {
      loop ??= runLoop();
      runInBackground(log, options.name, () => loop!);
      return Promise.resolve();
    },
    stop: () =>
      (stopping ??= (async () => {
        controller.abort(new Error(`${options.name} stopped`));
        await loop;
      })()),
  };
}
