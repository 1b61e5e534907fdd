import { latestCheckResults, type CheckResultRow } from './check-results.ts';
import type { Store } from './db.ts';
import { listUnresolvedIncidents } from './incidents.ts';

/** A run that has not ticked for this long is considered dead even without a recorded stop. */
export const staleAfterMs = 30_000;

/**
 * One host of a fleet as the store knows it: its daemon's last run, its services' latest checks, its
 * open incidents. `host` is '' for rows written before warden knew hosts on a store no daemon ran on.
 */
export interface HostView {
  host: string;
  state: 'running' | 'stopped' | 'not responding' | 'never started';
  pid: number | null;
  lastSeenAt: number | null;
  services: CheckResultRow[];
  incidents: Awaited<ReturnType<typeof listUnresolvedIncidents>>;
}

/** Every host with a run, a check result or an open incident in the store, by name. */
export async function readFleet(store: Store, now: number): Promise<HostView[]> {
  const newest = store.db
    .selectFrom('runs')
    .select((eb) => eb.fn.max('id').as('id'))
    .groupBy('host');
  const runs = await store.db.selectFrom('runs').selectAll().where('id', 'in', newest).execute();
  const results = await latestCheckResults(store);
  const incidents = await listUnresolvedIncidents(store.db);
  const names = new Set([
    ...runs.map((r) => r.host),
    ...results.map((r) => r.host ?? ''),
    ...incidents.map((i) => i.host ?? ''),
  ]);
  return [...names].sort().map((host) => {
    const run = runs.find((r) => r.host === host);
    return {
      host,
      state: !run
        ? 'never started'
        : run.stopped_at !== null
          ? 'stopped'
          : now - run.last_tick_at < staleAfterMs
            ? 'running'
            : 'not responding',
      pid: run?.pid ?? null,
      lastSeenAt: run?.last_tick_at ?? null,
      services: results.filter((r) => (r.host ?? '') === host),
      incidents: incidents.filter((i) => (i.host ?? '') === host),
    };
  });
}
