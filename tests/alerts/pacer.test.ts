import { describe, expect, it } from 'vitest';
import { createPacer, telegramPace } from '../../src/alerts/pacer.ts';
import { ManualClock } from '../helpers/manual-clock.ts';

const signal = new AbortController().signal;

/** Acquires `count` slots one after another, returning when each was granted (ms after start). */
async function slots(
  chatId: string,
  count: number,
  groupable = false,
  clock = new ManualClock(),
  pacer = createPacer(telegramPace, clock),
) {
  const start = clock.now();
  const granted: number[] = [];
  for (let i = 0; i < count; i++) {
    const taken = pacer.acquire(chatId, signal, { groupable });
    for (let spins = 0; spins < 10_000; spins++) {
      const done = await Promise.race([
        taken.then(() => true),
        new Promise<boolean>((r) => setImmediate(() => r(false))),
      ]);
      if (done) break;
      await clock.advance(10);
    }
    granted.push(clock.now() - start);
  }
  return granted;
}

describe('pacer', () => {
  it('spaces a private chat one second apart, plus the margin', async () => {
    expect(await slots('42', 3)).toEqual([0, 1030, 2060]);
  });

  it('lets a group have 20 a minute', async () => {
    const granted = await slots('-1001', 21);
    expect(granted[19]).toBeLessThan(1000);
    expect(granted[20]).toBe(60_250);
  });

  it('keeps all chats together under 30 a second, spread evenly', async () => {
    const clock = new ManualClock();
    const pacer = createPacer(telegramPace, clock);
    const granted: number[] = [];
    const start = clock.now();
    for (let i = 0; i < 31; i++) {
      await slots(String(100 + i), 1, false, clock, pacer);
      granted.push(clock.now() - start);
    }
    const offsets = granted.map((t, i) => t - Math.ceil((i * 1030) / 30));
    // each slot comes 1030 ms / 30 after the one before, to the 10 ms the test clock steps
    expect(offsets.every((o) => o >= 0 && o < 10)).toBe(true);
  });

  it('holds alerts to a chat in a storm so they can be grouped, but not other messages', async () => {
    const alerts = await slots('-1001', 7, true);
    expect(alerts.slice(0, 5).every((t) => t < 200)).toBe(true);
    expect(alerts[5]! - alerts[4]!).toBeGreaterThanOrEqual(5000);
    expect(alerts[6]! - alerts[5]!).toBeGreaterThanOrEqual(5000);
    const messages = await slots('-1001', 7, false);
    expect(messages.every((t) => t < 300)).toBe(true);
  });
});
