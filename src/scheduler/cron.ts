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
  /** For a job shared by a fleet: each slot runs once, whichever leader reaches it. */
  slots?: CronSlots | undefined;
}

/**
 * The store's record of a shared job's slots (fleet mode). A slot runs only once claimed, and at
 * start the newest slot that passed unclaimed (no leader then) is run late rather than skipped.
 * @example cron({ name: 'digest', …, slots: { claim: (job, at) => claimFleetSlot(…), last: (job) => lastFleetSlot(…) } })
 */
export interface CronSlots {
  /** False when another instance took this slot already. */
  claim(job: string, slotAt: number): Promise<boolean>;
  /** The newest slot claimed, or null before the first. */
  last(job: string): Promise<number | null>;
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

  const runSlot = async (signal: AbortSignal, slotAt: number): Promise<void> => {
    try {
      if (options.slots && !(await options.slots.claim(options.name, slotAt))) {
        log.info({ job: options.name, slotAt: new Date(slotAt).toISOString() }, 'slot already run by another instance');
        return;
      }
      await options.run(signal, slotAt);
    } catch (err) {
      if (!signal.aborted) log.error({ err, job: options.name }, 'scheduled job failed');
    }
  };

  /** The newest slot at or before now, when no instance claimed it (or any later one). */
  const missedSlot = async (slots: CronSlots): Promise<number | null> => {
    const latest = schedule.previousRuns(1, new Date(clock.now()))[0]?.getTime();
    if (latest === undefined) return null;
    try {
      const last = await slots.last(options.name);
      return last !== null && last < latest ? latest : null;
    } catch (err) {
      log.warn({ err, job: options.name }, 'missed slot not checked: the store did not answer');
      return null;
    }
  };

  const runLoop = async (): Promise<void> => {
    const { signal } = controller;
    const missed = options.slots ? await missedSlot(options.slots) : null;
    if (missed !== null && !signal.aborted) {
      log.info({ job: options.name, slotAt: new Date(missed).toISOString() }, 'running a missed slot');
      await runSlot(signal, missed);
    }
    for (let next = nextAfter(clock.now()); next !== null && !signal.aborted; next = nextAfter(clock.now())) {
      try {
        await clock.sleep(Math.max(0, next - clock.now()), signal);
      } catch {
        return;
      }
      await runSlot(signal, next);
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
