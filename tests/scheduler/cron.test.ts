import { afterEach, describe, expect, it } from 'vitest';
import { cron, type CronJob } from '../../src/scheduler/cron.ts';
import { captureLogger } from '../helpers/logger.ts';
import { ManualClock } from '../helpers/manual-clock.ts';

const jobs: CronJob[] = [];
afterEach(async () => {
  await Promise.all(jobs.splice(0).map((job) => job.stop()));
});

/** Waits until the job sleeps toward its next slot (or a run holds it), so moving the clock is safe. */
async function settled(clock: ManualClock, sleepers = 1): Promise<void> {
  while (clock.sleeping < sleepers) await new Promise((r) => setImmediate(r));
}

describe('cron', () => {
  it('runs at each slot of the pattern in the configured time zone', async () => {
    // 2026-11-28 03:00:00 UTC; 03:30 in Seoul (UTC+9) is 18:30 UTC
    const clock = new ManualClock(Date.UTC(2026, 10, 28, 3, 0, 0));
    const slots: string[] = [];
    const job = cron({
      name: 'test',
      pattern: '0 30 3 * * *',
      timezone: 'Asia/Seoul',
      clock,
      log: captureLogger().log,
      run: (_signal, at) => {
        slots.push(new Date(at).toISOString());
        return Promise.resolve();
      },
    });
    jobs.push(job);
    expect(new Date(job.nextRunAt()!).toISOString()).toBe('2026-11-28T18:30:00.000Z');
    await job.start();
    await settled(clock);
    await clock.advance(24 * 3600_000);
    await settled(clock);
    await clock.advance(24 * 3600_000);
    expect(slots).toEqual(['2026-11-28T18:30:00.000Z', '2026-11-29T18:30:00.000Z']);
  });

  it('never overlaps: a slot that passes during a run is skipped, and stop waits for the run', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 28, 3, 0, 0));
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    let release: () => void = () => undefined;
    const job = cron({
      name: 'slow',
      pattern: '0 * * * * *',
      clock,
      log: captureLogger().log,
      run: async () => {
        runs += 1;
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        await new Promise<void>((resolve) => (release = resolve));
        running -= 1;
      },
    });
    jobs.push(job);
    await job.start();
    await settled(clock);
    await clock.advance(60_000); // first slot: the run starts and holds
    await clock.advance(5 * 60_000); // five slots pass while it runs
    expect(runs).toBe(1);
    const stopped = job.stop();
    let done = false;
    void stopped.then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    release();
    await stopped;
    expect(maxRunning).toBe(1);
    expect(runs).toBe(1);
  });

  it('keeps running after a failed run', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 28, 3, 0, 0));
    let runs = 0;
    const job = cron({
      name: 'flaky',
      pattern: '0 * * * * *',
      clock,
      log: captureLogger().log,
      run: () => {
        runs += 1;
        return Promise.reject(new Error('boom'));
      },
    });
    jobs.push(job);
    await job.start();
    for (let i = 0; i < 3; i += 1) {
      await settled(clock);
      await clock.advance(60_000);
    }
    expect(runs).toBe(3);
  });

  it('with shared slots runs a slot only once claimed, and at start runs the newest slot no one claimed', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 28, 3, 0, 30));
    const claimed = new Map<number, string>([[Date.UTC(2026, 10, 28, 2, 58, 0), 'other']]);
    const slots = {
      claim: (job: string, at: number) => {
        if (claimed.has(at)) return Promise.resolve(false);
        claimed.set(at, job);
        return Promise.resolve(true);
      },
      last: () => Promise.resolve(Math.max(...claimed.keys())),
    };
    const ran: string[] = [];
    const job = cron({
      name: 'digest',
      pattern: '0 * * * * *',
      clock,
      log: captureLogger().log,
      slots,
      run: (_signal, at) => {
        ran.push(new Date(at).toISOString());
        return Promise.resolve();
      },
    });
    jobs.push(job);
    await job.start();
    await settled(clock);
    // 02:59 and 03:00 passed unclaimed: only the newest is run late; 03:01 is taken by another leader
    claimed.set(Date.UTC(2026, 10, 28, 3, 1, 0), 'other');
    await clock.advance(60_000);
    await settled(clock);
    await clock.advance(60_000);
    expect(ran).toEqual(['2026-11-28T03:00:00.000Z', '2026-11-28T03:02:00.000Z']);
  });
});
