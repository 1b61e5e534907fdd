/**
 * Exponential backoff with jitter: attempt 1 waits about `initialMs`, each next one twice as long,
 * capped at `maxMs`; the wait is drawn from the upper half so retries of many callers spread out.
 * @example backoffMs(3, { initialMs: 1000, maxMs: 60_000 }) // 2000..4000
 */
export function backoffMs(
  attempt: number,
  range: { initialMs: number; maxMs: number },
  random: () => number = Math.random,
): number {
  const base = Math.min(range.maxMs, range.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base / 2 + (random() * base) / 2);
}
