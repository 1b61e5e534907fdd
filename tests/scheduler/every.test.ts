import { afterEach, describe, expect, it } from 'vitest';
import type { Part } from '../../src/lib/part.ts';
import { every } from '../../src/scheduler/every.ts';
import { captureLogger } from '../helpers/logger.ts';
import { ManualClock } from '../helpers/manual-clock.ts';

const loops: Part[] = [];
afterEach(async () => {
  await Promise.all(loops.splice(0).map((loop) => loop.stop()));
});

/** Waits until `count` loops sleep toward their next run, so moving the clock is safe. */
async function settled(clock: ManualClock, count: number): Promise<void> {
  while (clock.sleeping < count) await new Promise((r) => setImmediate(r));
}

/** A started loop that records the clock time of each run. */
async function recordedLoop(clock: ManualClock, intervalMs: number, jitterRatio: number): Promise<number[]> {
  const runs: number[] = [];
  const loop = every({
    name: 'test',
    intervalMs,
    jitterRatio,
    clock,
    log: captureLogger().log,
    run: () => {
      runs.push(clock.now());
      return Promise.resolve();
    },
  });
  loops.push(loop);
  await loop.start();
  return runs;
}

/** Moves the clock in 10 ms steps until `done`. */
async function advanceUntil(clock: ManualClock, sleepers: number, done: () => boolean): Promise<void> {
  for (let step = 0; step < 100_000 && !done(); step++) {
    await settled(clock, sleepers);
    await clock.advance(10);
  }
}

describe('every', () => {
  it('without jitter runs exactly at its interval', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 28, 3, 0, 0) + 123);
    const runs = await recordedLoop(clock, 5000, 0);
    await advanceUntil(clock, 1, () => runs.length === 3);
    expect(runs.map((at) => at - runs[0]!)).toEqual([0, 5000, 10_000]);
  });

  it('with jitter wakes on a grid, within interval × (1 + jitterRatio), so loops started apart run together', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 28, 3, 0, 0) + 123);
    const first = await recordedLoop(clock, 5000, 0.1);
    await settled(clock, 1);
    await clock.advance(130);
    const second = await recordedLoop(clock, 5000, 0.1);
    await advanceUntil(clock, 2, () => first.length === 4 && second.length === 4);

    for (const runs of [first, second])
      for (let i = 1; i < runs.length; i++) {
        // a 5 s interval with 10 % jitter wakes on the 500 ms grid
        expect(runs[i]! % 500).toBe(0);
        expect(runs[i]! - runs[i - 1]!).toBeGreaterThanOrEqual(5000);
        expect(runs[i]! - runs[i - 1]!).toBeLessThanOrEqual(5500);
      }
    expect(second.slice(1)).toEqual(first.slice(1));
  });

  it('keeps long intervals on a grid of at most one second', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 28, 3, 0, 0) + 777);
    const runs = await recordedLoop(clock, 60_000, 0.1);
    await advanceUntil(clock, 1, () => runs.length === 3);
    for (let i = 1; i < runs.length; i++) {
      expect(runs[i]! % 1000).toBe(0);
      expect(runs[i]! - runs[i - 1]!).toBeGreaterThanOrEqual(60_000);
      expect(runs[i]! - runs[i - 1]!).toBeLessThanOrEqual(66_000);
    }
  });
});
