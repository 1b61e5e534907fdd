import { beforeEach, describe, expect, it } from 'vitest';
import { createTracker, type ChangeWriter, type IncidentTracker } from '../../src/incidents/tracker.ts';
import type { IncidentChange } from '../../src/incidents/types.ts';
import type { Store } from '../../src/store/db.ts';
import { incidentHistory, listUnresolvedIncidents } from '../../src/store/incidents.ts';
import { enqueueOutbox } from '../../src/store/outbox.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { captureLogger } from '../helpers/logger.ts';
import { dialects, withStore } from '../helpers/store.ts';

describe.each(dialects)('incident tracker (%s store)', (dialect) => {
  let store: Store;
  withStore(dialect, (opened) => (store = opened));
  let clock: ManualClock;
  let tracker: IncidentTracker;
  let changes: IncidentChange[];
  let failWriter = false;

  beforeEach(async () => {
    clock = new ManualClock();
    failWriter = false;
    // a writer like the alert outbox: one row per opened incident, in the tracker's transaction
    const writer: ChangeWriter = async (change, trx) => {
      if (change.kind === 'opened')
        await enqueueOutbox(
          trx,
          [{ chatId: '42', thread: null, kind: 'incident', incidentId: change.incident.id }],
          change.at,
        );
      if (failWriter) throw new Error('writer failed');
    };
    tracker = createTracker({ store, clock, log: captureLogger().log, writers: [writer] });
    changes = [];
    tracker.subscribe((c) => changes.push(c));
  });

  it('opens, repeats, escalates, records actions, acknowledges and resolves, with history', async () => {
    const lifecycle = ['opened', 'updated', 'escalated', 'action', 'acknowledged', 'resolved'];
    const opened = await tracker.report('disk-usage:/', { detail: '85% used' });
    expect(opened).toMatchObject({
      kind: 'opened',
      incident: {
        key: 'disk-usage:/',
        topic: 'disk-usage',
        subject: '/',
        severity: 'warning',
        state: 'open',
        count: 1,
      },
    });
    await clock.advance(60_000);
    const repeat = await tracker.report('disk-usage:/', { detail: '86% used' });
    expect(repeat).toMatchObject({
      kind: 'updated',
      incident: { id: opened.incident.id, count: 2, detail: '86% used', lastSeenAt: clock.now() },
    });
    const escalated = await tracker.report('disk-usage:/', { detail: '92% used', severity: 'critical' });
    expect(escalated).toMatchObject({ kind: 'escalated', incident: { severity: 'critical' } });
    const action = await tracker.recordAction('disk-usage:/', { kind: 'prune', ok: true, detail: 'freed 2GB' });
    expect(action?.incident.actions).toEqual([{ at: clock.now(), kind: 'prune', ok: true, detail: 'freed 2GB' }]);
    expect(await tracker.stateOf('disk-usage:/')).toBe('open');
    const ack = await tracker.acknowledge(opened.incident.id, 'cli');
    expect(await tracker.stateOf('disk-usage:/')).toBe('acknowledged');
    expect(ack?.incident).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'cli' });
    expect(await tracker.acknowledge(opened.incident.id, 'cli')).toBeNull();
    await clock.advance(60_000);
    const resolved = await tracker.resolve('disk-usage:/');
    expect(resolved?.incident).toMatchObject({ state: 'resolved', resolvedAt: clock.now() });
    expect(await tracker.resolve('disk-usage:/')).toBeNull();
    expect(await tracker.stateOf('disk-usage:/')).toBeNull();
    expect(changes.map((c) => c.kind)).toEqual(lifecycle);
    expect((await incidentHistory(store.db, opened.incident.id)).map((e) => e.event)).toEqual(lifecycle);
    expect(await listUnresolvedIncidents(store.db)).toEqual([]);
  });

  it('keeps one unresolved incident per key under concurrent reports', async () => {
    await Promise.all(Array.from({ length: 10 }, () => tracker.report('service-down:api', { detail: 'down' })));
    const open = await listUnresolvedIncidents(store.db);
    expect(open).toHaveLength(1);
    expect(open[0]!.count).toBe(10);
    expect(await store.db.selectFrom('outbox').selectAll().execute()).toHaveLength(1);
  });

  it('commits the incident and its outbox rows together, or neither', async () => {
    failWriter = true;
    await expect(tracker.report('service-down:api', { detail: 'down' })).rejects.toThrow('writer failed');
    expect(await listUnresolvedIncidents(store.db)).toEqual([]);
    expect(await store.db.selectFrom('outbox').selectAll().execute()).toEqual([]);
    expect(changes).toEqual([]);
    failWriter = false;
    await tracker.report('service-down:api', { detail: 'down' });
    expect(await store.db.selectFrom('outbox').selectAll().execute()).toHaveLength(1);
  });

  it('records a notice already resolved, and refuses unknown topics', async () => {
    const notice = await tracker.notice('warden-restarted', { detail: 'previous run did not stop cleanly' });
    expect(notice).toMatchObject({ kind: 'noticed', incident: { severity: 'info', state: 'resolved', subject: '' } });
    await expect(tracker.report('no-such-topic:x', { detail: '' })).rejects.toThrow('unknown incident topic');
  });
});
