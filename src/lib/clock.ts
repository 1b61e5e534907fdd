/**
 * Time as warden sees it. Backoff, windows and schedules take a Clock so tests can move time
 * instead of waiting.
 * @example await clock.sleep(backoffMs, signal) // rejects with signal.reason when aborted
 */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** setTimeout fires at once (with a warning) past 2^31−1 ms, so longer sleeps are chained. */
const longestTimerMs = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const until = Date.now() + ms;
      let timer: NodeJS.Timeout | undefined;
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason as Error);
      };
      const arm = (): void => {
        const left = until - Date.now();
        if (left <= 0) {
          signal?.removeEventListener('abort', onAbort);
          resolve();
          return;
        }
        timer = setTimeout(arm, Math.min(left, longestTimerMs));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      timer = setTimeout(arm, Math.min(Math.max(0, ms), longestTimerMs));
    }),
};
