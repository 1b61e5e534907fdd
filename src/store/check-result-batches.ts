import type { CheckResultRow } from './check-results.ts';
import { checkResultsKept } from './check-results.ts';
import type { Store } from './db.ts';

/**
 * Writes many check results in one transaction and prunes the named services back to
 * `checkResultsKept` rows. Fifty services at 5 s are ten results a second; one statement a second
 * instead of three per result is most of what supervising them costs (measured in
 * bench/supervision-load.ts).
 */
export async function recordCheckResultBatch(
  store: Store,
  rows: CheckResultRow[],
  prune: string[],
  host?: string,
): Promise<void> {
  if (rows.length === 0 && prune.length === 0) return;
  await store.db.transaction().execute(async (trx) => {
    if (rows.length > 0)
      await trx
        .insertInto('check_results')
        .values(
          rows.map((r) => ({
            ...(host === undefined ? {} : { host }),
            service: r.service,
            at: r.at,
            ok: r.ok ? 1 : 0,
            detail: r.detail,
            latency_ms: r.latencyMs,
          })),
        )
        .execute();
    for (const service of prune) {
      // another host's service of the same name keeps its own rows
      let cutoffQuery = trx.selectFrom('check_results').select('id').where('service', '=', service);
      if (host !== undefined) cutoffQuery = cutoffQuery.where('host', '=', host);
      const cutoff = await cutoffQuery.orderBy('id', 'desc').offset(checkResultsKept).limit(1).executeTakeFirst();
      if (!cutoff) continue;
      let prune = trx.deleteFrom('check_results').where('service', '=', service).where('id', '<=', cutoff.id);
      if (host !== undefined) prune = prune.where('host', '=', host);
      await prune.execute();
    }
  });
}
