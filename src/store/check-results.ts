import type { Store } from './db.ts';

export interface CheckResultRow {
  service: string;
  at: number;
  ok: boolean;
  detail: string;
  latencyMs: number;
}

/** How many results per service are kept; older rows are pruned as new ones arrive. */
export const checkResultsKept = 100;

/** The newest result of every service that has one. */
export async function latestCheckResults(store: Store): Promise<CheckResultRow[]> {
  const newest = store.db
    .selectFrom('check_results')
    .select((eb) => eb.fn.max('id').as('id'))
    .groupBy('service');
  const rows = await store.db
    .selectFrom('check_results')
    .selectAll()
    .where('id', 'in', newest)
    .orderBy('service')
    .execute();
  return rows.map((r) => ({ service: r.service, at: r.at, ok: r.ok === 1, detail: r.detail, latencyMs: r.latency_ms }));
}
