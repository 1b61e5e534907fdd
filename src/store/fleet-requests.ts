import type { Selectable } from 'kysely';
import type { Store } from './db.ts';
import type { FleetRequestsTable } from './tables.ts';

export interface FleetRequest {
  id: number;
  host: string;
  action: 'restart';
  service: string;
  requestedBy: string;
  createdAt: number;
  claimedAt: number | null;
  finishedAt: number | null;
  ok: boolean | null;
  detail: string | null;
}

function toRequest(row: Selectable<FleetRequestsTable>): FleetRequest {
  return {
    id: row.id,
    host: row.host,
    action: row.action,
    service: row.service,
    requestedBy: row.requested_by,
    createdAt: Number(row.created_at),
    claimedAt: row.claimed_at === null ? null : Number(row.claimed_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
    ok: row.ok === null ? null : Number(row.ok) === 1,
    detail: row.detail,
  };
}

/**
 * How long a request may wait for its host. The leader waits as long for it to be taken and then
 * tells the chat the host did not take it; running it afterwards would act behind that answer.
 */
export const fleetRequestTtlMs = 30_000;

/** Finished requests are kept this long, for `SELECT … FROM fleet_requests` after an odd night. */
const requestMemoryMs = 7 * 86_400_000;

/** Asks `host` to act; returns the request's id. Old finished requests are pruned on the way. */
export async function insertFleetRequest(
  store: Store,
  request: { host: string; action: 'restart'; service: string; requestedBy: string; at: number },
): Promise<number> {
  const row = await store.db
    .insertInto('fleet_requests')
    .values({
      host: request.host,
      action: request.action,
      service: request.service,
      requested_by: request.requestedBy,
      created_at: request.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await store.db
    .deleteFrom('fleet_requests')
    .where('finished_at', 'is not', null)
    .where('finished_at', '<', request.at - requestMemoryMs)
    .execute();
  return row.id;
}

export async function getFleetRequest(store: Store, id: number): Promise<FleetRequest | null> {
  const row = await store.db.selectFrom('fleet_requests').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toRequest(row) : null;
}

/**
 * Marks `host`'s unclaimed requests made before `before` expired, so they are never run late (the
 * person who asked was told it was not picked up); with `id`, only that one. Returns how many.
 */
export async function expireFleetRequests(
  store: Store,
  expiry: { host: string; before: number; at: number; detail: string; id?: number },
): Promise<number> {
  let query = store.db
    .updateTable('fleet_requests')
    .set({ finished_at: expiry.at, ok: 0, detail: expiry.detail })
    .where('host', '=', expiry.host)
    .where('claimed_at', 'is', null)
    .where('finished_at', 'is', null)
    .where('created_at', '<', expiry.before);
  if (expiry.id !== undefined) query = query.where('id', '=', expiry.id);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Takes the oldest pending request for `host` made at or after `since`, or null. The update is
 * conditional on the row still being unclaimed and unfinished, so of two takers (or a taker and the
 * leader expiring it) exactly one wins and a request runs at most once.
 */
export async function claimFleetRequest(
  store: Store,
  claim: { host: string; since: number; at: number },
): Promise<FleetRequest | null> {
  const pending = await store.db
    .selectFrom('fleet_requests')
    .select('id')
    .where('host', '=', claim.host)
    .where('claimed_at', 'is', null)
    .where('finished_at', 'is', null)
    .where('created_at', '>=', claim.since)
    .orderBy('id')
    .execute();
  for (const { id } of pending) {
    const row = await store.db
      .updateTable('fleet_requests')
      .set({ claimed_at: claim.at })
      .where('id', '=', id)
      .where('claimed_at', 'is', null)
      .where('finished_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (row) return toRequest(row);
  }
  return null;
}

export async function finishFleetRequest(
  store: Store,
  outcome: { id: number; ok: boolean; detail: string; at: number },
): Promise<void> {
  await store.db
    .updateTable('fleet_requests')
    .set({ finished_at: outcome.at, ok: outcome.ok ? 1 : 0, detail: outcome.detail })
    .where('id', '=', outcome.id)
    .execute();
}
