import { afterEach, describe, expect, it } from 'vitest';
import { createFleetHeartbeat } from '../../src/fleet/heartbeats.ts';
import { createHostDownWatch } from '../../src/fleet/host-down.ts';
import { createTracker } from '../../src/incidents/tracker.ts';
import type { Part } from '../../src/lib/part.ts';
import type { Store } from '../../src/store/db.ts';
import { forgetFleetHost, listFleetHosts, recordFleetBeat } from '../../src/store/fleet.ts';
import { findUnresolvedIncident } from '../../src/store/incidents.ts';
import { captureLogger } from '../helpers/logger.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { dialects, withStore } from '../helpers/store.ts';

const heartbeatMs = 4000;
const parts: Part[] = [];
afterEach(async () => {
  for (const part of parts.splice(0).reverse()) await part.stop();
});

/** Waits until the loop sleeps toward its next run, so moving the clock is safe. */
async function settled(clock: ManualClock): Promise<void> {
  while (clock.sleeping < 1) await new Promise((r) => setImmediate(r));
}

/** Moves time one watch period at a time, each run finished (store I/O included) before the next. */
async function pass(clock: ManualClock, ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= heartbeatMs / 4) {
    await clock.advance(Math.min(left, heartbeatMs / 4));
    await settled(clock);
  }
}

describe.each(dialects)('fleet host-down (%s)', (dialect) => {
  let store: Store;
  withStore(dialect, (opened) => (store = opened));

  const beat = (host: string, at: number) =>
    recordFleetBeat(store, { host, startedAt: 0, lastSeen: at, version: 'test', pid: 1 });
  const open = (host: string) => findUnresolvedIncident(store.db, `host-down:${host}`);

  it('opens for a peer silent longer than `missed` heartbeats, and resolves when it writes again or leaves cleanly', async () => {
    const clock = new ManualClock();
    const { log } = captureLogger();
    const incidents = createTracker({ store, clock, log });
    await beat('web-2', clock.now());
    // the leader's own row may be old (its heartbeat and its watch are separate loops): never judged
    await beat('lead', clock.now() - 60_000);
    const watch = createHostDownWatch({ store, incidents, clock, log, host: 'lead', heartbeatMs, missed: 3 });
    parts.push(watch);
    await watch.start();
    await settled(clock);

    await pass(clock, 3 * heartbeatMs);
    expect(await open('web-2')).toBeNull();
    await pass(clock, heartbeatMs / 4);
    expect((await open('web-2'))?.detail).toMatch(
      /^no heartbeat for 13s \(3 missed; last seen .*, pid 1, version test\)$/,
    );
    expect(await open('lead')).toBeNull();

    await beat('web-2', clock.now());
    await pass(clock, heartbeatMs / 4);
    expect(await open('web-2')).toBeNull();

    await pass(clock, 4 * heartbeatMs);
    expect(await open('web-2')).not.toBeNull();
    await forgetFleetHost(store, 'web-2');
    await pass(clock, heartbeatMs / 4);
    expect(await open('web-2')).toBeNull();
  });

  it('a new leader carries on the host-down incident its predecessor opened: it belongs to no host', async () => {
    const clock = new ManualClock();
    const { log } = captureLogger();
    const before = createTracker({ store, clock, log, host: 'web-1' });
    const after = createTracker({ store, clock, log, host: 'web-3' });
    await before.observe('host-down:web-2', { ok: false, detail: 'no heartbeat' });
    const opened = await open('web-2');
    expect(opened?.host).toBe('');
    await after.observe('host-down:web-2', { ok: false, detail: 'still no heartbeat' });
    expect((await open('web-2'))?.id).toBe(opened?.id);
    await after.observe('host-down:web-2', { ok: true, detail: 'heartbeat again' });
    expect(await open('web-2')).toBeNull();
  });

  it('an instance heartbeats while it runs and removes its row when it stops cleanly', async () => {
    const clock = new ManualClock();
    const heartbeat = createFleetHeartbeat({
      store,
      clock,
      log: captureLogger().log,
      host: 'web-1',
      version: 'v1',
      intervalMs: heartbeatMs,
    });
    await heartbeat.start();
    await settled(clock);
    const started = clock.now();
    await clock.advance(heartbeatMs);
    await settled(clock);
    expect(await listFleetHosts(store)).toEqual([
      { host: 'web-1', startedAt: started, lastSeen: started + heartbeatMs, version: 'v1', pid: process.pid },
    ]);
    await heartbeat.stop();
    expect(await listFleetHosts(store)).toEqual([]);
  });
});
