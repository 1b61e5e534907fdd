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

export async function recordCheckResult(store: Store, result: CheckResultRow): Promise<void> {
  await store.db
    .insertInto('check_results')
    .values({
      service: result.service,
      at: result.at,
      ok: result.ok ? 1 : 0,
      detail: result.detail,
      latency_ms: result.latencyMs,
    })
    .execute();
  const cutoff = await store.db
    .selectFrom('check_results')
    .select('id')
    .where('service', '=', result.service)
    .orderBy('id', 'desc')
    .offset(checkResultsKept)
    .limit(1)
    .executeTakeFirst();
  if (cutoff)
    await store.db
      .deleteFrom('check_results')
      .where('service', '=', result.service)
      .where('id', '<=', cutoff.id)
      .execute();
}

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
