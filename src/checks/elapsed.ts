/** A stopwatch for check latency, in whole milliseconds. */
export function stopwatch(): () => number {
  const started = performance.now();
  return () => Math.round(performance.now() - started);
}
