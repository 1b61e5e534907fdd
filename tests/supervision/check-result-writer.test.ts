import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/db.ts';
import { checkResultsKept, latestCheckResults } from '../../src/store/check-results.ts';
import { createCheckResultWriter } from '../../src/supervision/check-result-writer.ts';
import { captureLogger } from '../helpers/logger.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { drive } from '../helpers/until.ts';
import { dialects, withStore } from '../helpers/store.ts';

describe.each(dialects)('check result writer (%s)', (dialect) => {
  let store: Store;
  withStore(dialect, (opened) => (store = opened));
  const row = (service: string, i: number) => ({
    service,
    at: 1000 + i,
    ok: i % 2 === 0,
    detail: `check ${i}`,
    latencyMs: i,
  });

  it('writes buffered results together once a second', async () => {
    const clock = new ManualClock();
    const writer = createCheckResultWriter({ store, clock, log: captureLogger().log });
    await writer.start();
    try {
      writer.push(row('api', 1));
      writer.push(row('bot', 2));
      const count = async () => (await store.db.selectFrom('check_results').select('id').execute()).length;
      await drive(clock, async () => (await count()) === 2, { what: 'the flush' });
      expect((await latestCheckResults(store)).map((r) => [r.service, r.detail])).toEqual([
        ['api', 'check 1'],
        ['bot', 'check 2'],
      ]);
    } finally {
      await writer.stop();
    }
  });

  it('keeps each service bounded', async () => {
    const writer = createCheckResultWriter({
      store,
      clock: new ManualClock(),
      log: captureLogger().log,
      pruneEvery: 20,
    });
    for (let i = 0; i < 250; i++) {
      writer.push(row('api', i));
      if (i % 7 === 0) await writer.flush();
    }
    await writer.flush();
    const kept = await store.db
      .selectFrom('check_results')
      .select('at')
      .where('service', '=', 'api')
      .orderBy('id')
      .execute();
    // pruned every 20 results: never more than kept + 20
    expect(kept.length).toBeGreaterThanOrEqual(checkResultsKept);
    expect(kept.length).toBeLessThan(checkResultsKept + 20);
    expect(kept.at(-1)?.at).toBe(1249);
  });

  it('stores what is still buffered when it stops', async () => {
    const writer = createCheckResultWriter({ store, clock: new ManualClock(), log: captureLogger().log });
    await writer.start();
    writer.push(row('api', 1));
    await writer.stop();
    expect(await store.db.selectFrom('check_results').select('detail').execute()).toEqual([{ detail: 'check 1' }]);
  });
});
