/** Polls until `condition` holds, failing after `timeoutMs` with what it waited for. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Moves a manual clock in steps, letting real I/O run between them, until `condition` holds: for
 * loops that mix clock sleeps with real sockets, where the next sleep starts at an unknown moment.
 */
export async function drive(
  clock: { advance(ms: number): Promise<void> },
  condition: () => boolean | Promise<boolean>,
  options: { stepMs?: number; timeoutMs?: number; what?: string } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 5000);
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what ?? 'condition'}`);
    await clock.advance(options.stepMs ?? 100);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Polls `probe` until it returns a value (not undefined), and returns that value. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
