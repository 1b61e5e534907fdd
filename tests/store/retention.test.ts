import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/db.ts';
import { storeRetention } from '../../src/maintenance/store-retention.ts';
import { pruneStore } from '../../src/store/retention.ts';
import { captureLogger } from '../helpers/logger.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { until } from '../helpers/until.ts';
import path from 'node:path';

const day = 86_400_000;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openFor(dialect: 'sqlite' | 'postgres'): Promise<Store> {
  let url = `sqlite:${path.join(tempDir(), 'warden.db')}`;
  if (dialect === 'postgres') {
    const database: TestDatabase = await createTestDatabase();
    cleanups.push(() => database.drop());
    url = database.url;
  }
  const store = await openStore(url);
  cleanups.push(() => store.close());
  return store;
}

async function incident(store: Store, key: string, at: number, resolved: boolean): Promise<number> {
  const row = await store.db
    .insertInto('incidents')
    .values({
      key,
      topic: key.split(':')[0]!,
      subject: key.split(':')[1] ?? '',
      severity: 'critical',
      state: resolved ? 'resolved' : 'open',
      detail: 'down',
      excerpt: null,
      opened_at: at,
      last_seen_at: at,
      resolved_at: resolved ? at + 60_000 : null,
      count: 1,
      actions: '[]',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await store.db
    .insertInto('incident_history')
    .values([
      { incident_id: row.id, at, event: 'opened', detail: 'down' },
      ...(resolved ? [{ incident_id: row.id, at: at + 60_000, event: 'resolved', detail: 'up' }] : []),
    ])
    .execute();
  return row.id;
}

async function outboxRow(
  store: Store,
  row: {
    incidentId: number | null;
    kind: 'incident' | 'edit' | 'message';
    at: number;
    state: 'sent' | 'pending';
    refId?: number;
  },
): Promise<number> {
  const inserted = await store.db
    .insertInto('outbox')
    .values({
      chat_id: '42',
      thread: null,
      kind: row.kind,
      incident_id: row.incidentId,
      ref_id: row.refId ?? null,
      payload: null,
      owner: null,
      state: row.state,
      attempts: 1,
      plain: 0,
      created_at: row.at,
      next_attempt_at: row.at,
      sent_at: row.state === 'sent' ? row.at : null,
      message_id: row.state === 'sent' ? String(row.at) : null,
      group_id: null,
      last_error: null,
      sending_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id;
}

async function counts(store: Store): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const table of ['incidents', 'incident_history', 'outbox', 'runs', 'silences'] as const) {
    const row = await store.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    result[table] = Number(row.n);
  }
  return result;
}

describe.each(['sqlite', 'postgres'] as const)("retention of warden's own tables (%s)", (dialect) => {
  it(
    'keeps a year of daily incidents, alerts and runs bounded by store.retain, and never prunes what is still open',
    { timeout: 180_000 },
    async () => {
      const store = await openFor(dialect);
      const clock = new ManualClock(Date.UTC(2026, 0, 1, 0, 0, 0));
      const { log, lines } = captureLogger();
      const retainMs = 30 * day;
      const job = storeRetention({ store, clock, log, retainMs, timezone: 'UTC', batchSize: 7 });

      // open since day 0: its alert must survive every prune, so its resolution can still edit it
      const openId = await incident(store, 'service-down:legacy', clock.now(), false);
      const openAlert = await outboxRow(store, {
        incidentId: openId,
        kind: 'incident',
        at: clock.now(),
        state: 'sent',
      });
      await job.start();
      cleanups.push(() => job.stop());

      const perDay = async (at: number, n: number): Promise<void> => {
        for (let i = 0; i < 1; i++) {
          const id = await incident(store, `service-down:svc-${n}-${i}`, at, true);
          const alert = await outboxRow(store, { incidentId: id, kind: 'incident', at, state: 'sent' });
          await outboxRow(store, { incidentId: id, kind: 'edit', at: at + 60_000, state: 'sent', refId: alert });
        }
        await outboxRow(store, { incidentId: null, kind: 'message', at, state: 'sent' });
        await store.db
          .insertInto('runs')
          .values({
            started_at: at,
            last_tick_at: at + 3_600_000,
            stopped_at: at + 3_600_000,
            pid: n,
            host: 'h',
            version: 't',
            alerts: 'telegram',
          })
          .execute();
        await store.db
          .insertInto('silences')
          .values({ target: `svc-${n}`, until: at + 3_600_000, reason: null, created_at: at })
          .execute();
      };

      const sizes: number[] = [];
      for (let n = 1; n <= 365; n++) {
        await perDay(clock.now(), n);
        await clock.advance(day);
        // the prune ran once the job sleeps for the next day again
        await until(() => clock.sleeping === 1, 10_000, 'the daily prune');
        const outbox = await store.db
          .selectFrom('outbox')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        sizes.push(Number(outbox.n));
      }

      const final = await counts(store);
      // 30 days kept, plus the day being written, plus the open incident
      expect(final.incidents).toBeLessThanOrEqual(31 + 1);
      expect(final.incidents).toBeGreaterThanOrEqual(29);
      expect(final.incident_history).toBeLessThanOrEqual(2 * 31 + 1);
      expect(final.outbox).toBeLessThanOrEqual(3 * 31 + 1);
      expect(final.runs).toBeLessThanOrEqual(31);
      expect(final.silences).toBeLessThanOrEqual(31);
      // bounded: no growth over the last 300 days
      expect(Math.max(...sizes.slice(60))).toBeLessThanOrEqual(Math.max(...sizes.slice(40, 60)));
      const kept = await store.db.selectFrom('outbox').select('id').where('id', '=', openAlert).execute();
      expect(kept).toHaveLength(1);
      expect(await store.db.selectFrom('incidents').select('id').where('id', '=', openId).execute()).toHaveLength(1);
      expect(lines().filter((l) => l.msg === 'store pruned').length).toBe(365);
    },
  );

  it('keeps pending rows, the alerts they edit, and the latest run', async () => {
    const store = await openFor(dialect);
    const old = Date.UTC(2025, 0, 1);
    const resolved = await incident(store, 'service-down:api', old, true);
    await outboxRow(store, { incidentId: resolved, kind: 'incident', at: old, state: 'pending' });
    const message = await outboxRow(store, { incidentId: null, kind: 'message', at: old, state: 'sent' });
    await outboxRow(store, { incidentId: null, kind: 'edit', at: old, state: 'pending', refId: message });
    await store.db
      .insertInto('runs')
      .values({
        started_at: old,
        last_tick_at: old,
        stopped_at: null,
        pid: 1,
        host: 'h',
        version: 't',
        alerts: 'telegram',
      })
      .execute();
    const pruned = await pruneStore(store.db, { before: Date.UTC(2026, 0, 1) });
    expect(pruned).toEqual({ incidents: 0, history: 0, outbox: 0, runs: 0, silences: 0 });
    expect(await counts(store)).toMatchObject({ incidents: 1, outbox: 3, runs: 1 });
  });
});
