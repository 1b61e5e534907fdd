import type { Store } from './db.ts';
import type { AlertMode } from './tables.ts';

export interface Run {
  id: number;
  startedAt: number;
  stoppedAt: number | null;
  lastTickAt: number;
  pid: number;
  alerts: AlertMode | null;
}

/** Records a start; returns the previous run so the caller can tell whether it stopped cleanly. */
export async function recordRunStart(
  store: Store,
  run: { at: number; pid: number; host: string; version: string; alerts: AlertMode },
): Promise<{ id: number; previous: Run | null }> {
  const previous = await latestRun(store, run.host);
  const row = await store.db
    .insertInto('runs')
    .values({
      started_at: run.at,
      last_tick_at: run.at,
      stopped_at: null,
      pid: run.pid,
      host: run.host,
      version: run.version,
      alerts: run.alerts,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, previous };
}

export async function recordRunTick(store: Store, id: number, at: number): Promise<void> {
  await store.db.updateTable('runs').set({ last_tick_at: at }).where('id', '=', id).execute();
}

export async function recordRunStop(store: Store, id: number, at: number): Promise<void> {
  await store.db.updateTable('runs').set({ stopped_at: at, last_tick_at: at }).where('id', '=', id).execute();
}

/** The newest run on `host` (a fleet shares the store), or on any host without it. */
export async function latestRun(store: Store, host?: string): Promise<Run | null> {
  let query = store.db.selectFrom('runs').selectAll();
  if (host !== undefined) query = query.where('host', '=', host);
  const row = await query.orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row
    ? {
        id: row.id,
        startedAt: row.started_at,
        stoppedAt: row.stopped_at,
        lastTickAt: row.last_tick_at,
        pid: row.pid,
        alerts: row.alerts,
      }
    : null;
}
