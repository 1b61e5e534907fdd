import { describe, expect, it } from 'vitest';
import { createRemoteRestart } from '../../src/bot/remote-restart.ts';
import type { Store } from '../../src/store/db.ts';
import { recordFleetBeat } from '../../src/store/fleet.ts';
import {
  claimFleetRequest,
  expireFleetRequests,
  finishFleetRequest,
  getFleetRequest,
  insertFleetRequest,
} from '../../src/store/fleet-requests.ts';
import { captureLogger } from '../helpers/logger.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { dialects, withStore } from '../helpers/store.ts';

describe.each(dialects)('fleet requests (%s)', (dialect) => {
  let store: Store;
  withStore(dialect, (opened) => (store = opened));
  const ask = (host: string, at: number) =>
    insertFleetRequest(store, { host, action: 'restart', service: 'api', requestedBy: '@alice', at });

  it('is taken once, by its own host, and only while fresh', async () => {
    const stale = await ask('web-2', 1000);
    const fresh = await ask('web-2', 50_000);
    await ask('web-3', 50_000);
    const taken = await claimFleetRequest(store, { host: 'web-2', since: 20_000, at: 51_000 });
    expect(taken).toMatchObject({ id: fresh, host: 'web-2', claimedAt: 51_000, finishedAt: null });
    // a second taker (or a second pass) finds nothing left: the stale one is not offered
    expect(await claimFleetRequest(store, { host: 'web-2', since: 20_000, at: 51_100 })).toBeNull();
    expect(await expireFleetRequests(store, { host: 'web-2', before: 20_000, at: 52_000, detail: 'expired' })).toBe(1);
    expect(await getFleetRequest(store, stale)).toMatchObject({ claimedAt: null, finishedAt: 52_000, ok: false });
    // expiring never touches a taken request
    expect(await expireFleetRequests(store, { host: 'web-2', before: 99_000, at: 52_000, detail: 'expired' })).toBe(0);
    await finishFleetRequest(store, { id: fresh, ok: true, detail: 'exit 0', at: 53_000 });
    expect(await getFleetRequest(store, fresh)).toMatchObject({ ok: true, detail: 'exit 0', finishedAt: 53_000 });
  });

  it('the leader offers only live hosts that run the service, and expires its request when it stops waiting', async () => {
    const clock = new ManualClock();
    const now = clock.now();
    const remote = createRemoteRestart({ store, clock, log: captureLogger().log, host: 'web-1', liveWithinMs: 3000 });
    for (const [host, lastSeen] of [
      ['web-1', now],
      ['web-2', now - 1000],
      ['web-3', now - 2000],
      ['web-4', now - 60_000],
    ] as const)
      await recordFleetBeat(store, { host, startedAt: 0, lastSeen, version: 'test', pid: 1 });
    for (const [host, service] of [
      ['web-1', 'api'],
      ['web-2', 'api'],
      ['web-3', 'api'],
      ['web-3', 'worker'],
      ['web-4', 'worker'],
    ] as const)
      await store.db
        .insertInto('check_results')
        .values({ host, service, at: now, ok: 1, detail: 'ok', latency_ms: 1 })
        .execute();
    expect(await remote.liveHostsWith('api')).toEqual(['web-2', 'web-3']);
    expect(await remote.liveHostsWith('worker')).toEqual(['web-3']);
    expect(await remote.knownHosts()).toEqual(['web-2', 'web-3', 'web-4']);

    const controller = new AbortController();
    const asking = remote.restart('web-2', 'api', '@alice', controller.signal);
    while (clock.sleeping < 1) await new Promise((r) => setImmediate(r));
    controller.abort(new Error('warden stopping'));
    await expect(asking).rejects.toThrow('warden stopping');
    const [row] = await store.db.selectFrom('fleet_requests').selectAll().execute();
    expect(row).toMatchObject({ host: 'web-2', claimed_at: null, ok: 0 });
    expect(await claimFleetRequest(store, { host: 'web-2', since: 0, at: now })).toBeNull();
  });
});
