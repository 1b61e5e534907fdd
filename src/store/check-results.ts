import type { Store } from './db.ts';

export interface CheckResultRow {
  /** Set when read back: the host that ran the check. */
  host?: string;
  service: string;
  at: number;
  ok: boolean;
  detail: string;
  latencyMs: number;
}

/** How many results per service are kept; older rows are pruned as new ones arrive. */
export const checkResultsKept = 100;

/** The newest result of every service that has one, on `host` or (without it) on every host. */
export async function latestCheckResults(store: Store, host?: string): Promise<CheckResultRow[]> {
  let newest = store.db
    .selectFrom('check_results')
    .select((eb) => eb.fn.max('id').as('id'))
    .groupBy(['host', 'service']);
  if (host !== undefined) newest = newest.where('host', '=', host);
  const rows = await store.db
    .selectFrom('check_results')
    .selectAll()
    .where('id', 'in', newest)
    .orderBy('host')
    .orderBy('service')
    .execute();
  return rows.map((r) => ({
    host: r.host,
    service: r.service,
    at: r.at,
    ok: r.ok === 1,
    detail: r.detail,
    latencyMs: r.latency_ms,
  }));
}
