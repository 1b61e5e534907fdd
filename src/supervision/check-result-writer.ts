import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { Part } from '../lib/part.ts';
import { runInBackground } from '../lib/run-in-background.ts';
import { cleanText } from '../lib/text.ts';
import { every } from '../scheduler/every.ts';
import { recordCheckResultBatch } from '../store/check-result-batches.ts';
import type { CheckResultRow } from '../store/check-results.ts';
import type { Store } from '../store/db.ts';

/**
 * Check results on their way to the store, written together once a second (and on stop), with
 * each service pruned every `pruneEvery` results rather than on every write.
 * @example writer.push({ service: 'api', at: clock.now(), ok: true, detail: 'GET …: 200 in 3ms', latencyMs: 3 })
 */
export interface CheckResultWriter extends Part {
  push(row: CheckResultRow): void;
  /** Writes what is buffered now; resolves once it is stored. */
  flush(): Promise<void>;
}

/** Past this many buffered results the writer does not wait for its next tick. */
const maxBatch = 200;

export function createCheckResultWriter(options: {
  store: Store;
  clock: Clock;
  log: Logger;
  flushMs?: number;
  pruneEvery?: number;
  scrub?: (text: string) => string;
  /** `config.host`: results are this host's (a fleet shares the store). */
  host?: string;
}): CheckResultWriter {
  const { store } = options;
  const log = options.log.child({ part: 'check-results' });
  const pruneEvery = options.pruneEvery ?? 20;
  const sincePrune = new Map<string, number>();
  let buffer: CheckResultRow[] = [];
  let writing: Promise<void> = Promise.resolve();

  const flush = (): Promise<void> => {
    const next = writing.then(async () => {
      if (buffer.length === 0) return;
      const rows = buffer;
      buffer = [];
      const prune: string[] = [];
      for (const row of rows) {
        const count = (sincePrune.get(row.service) ?? 0) + 1;
        if (count >= pruneEvery) {
          prune.push(row.service);
          sincePrune.set(row.service, 0);
        } else sincePrune.set(row.service, count);
      }
      try {
        await recordCheckResultBatch(store, rows, [...new Set(prune)], options.host);
      } catch (err) {
        // history is a nicety; the incidents already have what matters
        log.warn({ err, rows: rows.length }, 'check results not stored');
      }
    });
    writing = next.catch(() => undefined);
    return next;
  };

  const loop = every({
    name: 'check-results',
    intervalMs: options.flushMs ?? 1000,
    clock: options.clock,
    log,
    run: flush,
  });

  let stopping: Promise<void> | undefined;
  return {
    name: 'check-results',
    push: (row) => {
      // details carry command output: stored as valid UTF-8 without control sequences or secrets
      buffer.push({ ...row, detail: (options.scrub ?? String)(cleanText(row.detail)) });
      if (buffer.length >= maxBatch) runInBackground(log, 'check-results.flush', flush);
    },
    flush,
    start: () => loop.start(),
    stop: () =>
      (stopping ??= (async () => {
        await loop.stop();
        await flush();
      })()),
  };
}
