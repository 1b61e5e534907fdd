import type { Clock } from '../lib/clock.ts';

/**
 * At most `count` sends within any `windowMs`, counted with `marginMs` to spare. With `spread`,
 * sends are also spaced evenly: a burst of requests leaving together arrives spread out by the
 * time Telegram counts them, and the next window's first requests would then collide with it.
 */
export interface Window {
  count: number;
  windowMs: number;
  marginMs: number;
  spread?: boolean;
}

/**
 * Telegram's documented limits (1 message a second to a private chat, 20 a minute to a group,
 * about 30 a second overall), and the storm hold: once a chat got `burst` alerts within
 * `windowMs`, the next alert waits `holdMs` after the previous one, so alerts that keep coming
 * pile up and leave as one grouped message instead of spending the chat's limit one by one.
 */
export interface PaceLimits {
  private: Window;
  group: Window;
  global: Window;
  storm: { burst: number; windowMs: number; holdMs: number };
}

// Telegram counts arrivals, warden counts departures: the margins cover the difference.
export const telegramPace: PaceLimits = {
  private: { count: 1, windowMs: 1000, marginMs: 30 },
  group: { count: 20, windowMs: 60_000, marginMs: 250 },
  global: { count: 30, windowMs: 1000, marginMs: 30, spread: true },
  storm: { burst: 5, windowMs: 60_000, holdMs: 5000 },
};

/**
 * Hands out send slots so warden stays inside the Bot API limits instead of provoking 429s. Each
 * caller reserves its own slot, so many chats waiting for the shared 30/s do not all wake at once.
 * @example await pacer.acquire('-1001234', signal, { groupable: true }) // then send at once
 */
export interface Pacer {
  /** Reserves the chat's next slot and waits for it; true when it had to wait. */
  acquire(chatId: string, signal: AbortSignal, options: { groupable: boolean }): Promise<boolean>;
  /** The request really left at `at` (rendering took a moment): the chat's next slot counts from then. */
  departed(chatId: string, at: number): void;
  /** Sends to the chat by other instances of a fleet (from the store), counted against its limits too. */
  seed(chatId: string, times: readonly number[]): void;
}

/**
 * The bot's overall limit, shared by every instance of a fleet: reserves the first slot at or after
 * `from` that is `gapMs` after the last one any instance reserved (one row in the store).
 */
export type SharedSlot = (from: number, gapMs: number) => Promise<number>;

export function createPacer(limits: PaceLimits, clock: Clock, shared?: SharedSlot): Pacer {
  const reserved = new Map<string, number[]>();
  const everywhere: number[] = [];
  const keepMs =
    Math.max(limits.private.windowMs, limits.group.windowMs, limits.storm.windowMs, limits.global.windowMs) + 1000;

  /** The earliest time at or after `from` that a window allows another send, given the sends in `times`. */
  const windowSlot = (times: number[], window: Window, from: number): number => {
    const span = window.windowMs + window.marginMs;
    let slot = times.length < window.count ? from : Math.max(from, times[times.length - window.count]! + span);
    const last = times.at(-1);
    if (window.spread && last !== undefined) slot = Math.max(slot, last + span / window.count);
    return slot;
  };

  /** The earliest time at or after `from` at least one spacing away from every shared reservation. */
  const freeGap = (from: number): number => {
    const gap = (limits.global.windowMs + limits.global.marginMs) / limits.global.count;
    let slot = from;
    for (const taken of everywhere) {
      if (taken <= slot - gap) continue;
      if (taken >= slot + gap) break;
      slot = taken + gap;
    }
    return slot;
  };

  const reserve = (chatId: string, groupable: boolean, now: number): number => {
    const times = reserved.get(chatId) ?? [];
    reserved.set(chatId, times);
    while (times.length > 0 && times[0]! <= now - keepMs) times.shift();
    while (everywhere.length > 0 && everywhere[0]! <= now - keepMs) everywhere.shift();
    let slot = windowSlot(times, /^\d+$/.test(chatId) ? limits.private : limits.group, now);
    if (groupable && times.filter((t) => t > now - limits.storm.windowMs).length >= limits.storm.burst) {
      slot = Math.max(slot, times.at(-1)! + limits.storm.holdMs);
    }
    // with a shared slot the overall limit is reserved in the store once the chat's own slot has come
    if (!shared) slot = limits.global.spread ? freeGap(slot) : windowSlot(everywhere, limits.global, slot);
    times.push(slot);
    // a chat waiting out its own window may hold a later slot than one reserved after it: keep sorted
    const at = everywhere.findIndex((t) => t > slot);
    everywhere.splice(at === -1 ? everywhere.length : at, 0, slot);
    return slot;
  };

  const waitFor = async (slot: number, signal: AbortSignal): Promise<boolean> => {
    const now = clock.now();
    if (slot <= now) return false;
    await clock.sleep(slot - now, signal);
    return true;
  };

  return {
    async acquire(chatId, signal, { groupable }) {
      const waited = await waitFor(reserve(chatId, groupable, clock.now()), signal);
      if (!shared) return waited;
      const gap = (limits.global.windowMs + limits.global.marginMs) / limits.global.count;
      return (await waitFor(await shared(clock.now(), gap), signal)) || waited;
    },
    departed(chatId, at) {
      const times = reserved.get(chatId);
      if (times && times.length > 0 && times[times.length - 1]! < at) times[times.length - 1] = at;
    },
    seed(chatId, others) {
      if (others.length === 0) return;
      const times = reserved.get(chatId) ?? [];
      reserved.set(
        chatId,
        [...times, ...others].sort((a, b) => a - b),
      );
    },
  };
}

/** No limits: the log channel, and tests that measure warden rather than Telegram. */
export const unpaced: Pacer = {
  acquire: () => Promise.resolve(false),
  departed: () => undefined,
  seed: () => undefined,
};
