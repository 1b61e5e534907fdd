import type { Kysely } from 'kysely';
import type { Store } from './db.ts';
import type { Tables } from './tables.ts';

/**
 * A `warden silence` entry: until `until`, alerts about `target` are held back and the service is
 * not restarted; incidents and their history are still recorded.
 * @example { id: 3, target: 'api', until: 1764302525000, reason: 'deploy', createdAt: 1764300725000 }
 */
export interface Silence {
  id: number;
  target: string;
  until: number;
  reason: string | null;
  createdAt: number;
}

/** The target that silences everything (a host-wide maintenance window). */
export const silenceAll = 'all';

export async function addSilence(
  store: Store,
  silence: { target: string; until: number; reason: string | null; at: number },
): Promise<Silence> {
  const row = await store.db
    .insertInto('silences')
    .values({ target: silence.target, until: silence.until, reason: silence.reason, created_at: silence.at })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, target: silence.target, until: silence.until, reason: silence.reason, createdAt: silence.at };
}

/** Ends the active silences of a target now; returns how many there were. */
export async function liftSilences(store: Store, target: string, at: number): Promise<number> {
  const result = await store.db
    .updateTable('silences')
    .set({ until: at })
    .where('target', '=', target)
    .where('until', '>', at)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function activeSilences(store: Store, now: number): Promise<Silence[]> {
  const rows = await store.db
    .selectFrom('silences')
    .selectAll()
    .where('until', '>', now)
    .orderBy('until', 'desc')
    .execute();
  return rows.map((r) => ({ id: r.id, target: r.target, until: r.until, reason: r.reason, createdAt: r.created_at }));
}

/**
 * Whether a silence target covers a service name or an incident key: `api` covers the service
 * and every incident about it (`service-down:api`, `crash-loop:api`), a topic (`disk-usage`)
 * covers its incidents, a full key covers itself, and `all` covers everything.
 */
export function silenceCovers(target: string, serviceOrKey: string): boolean {
  if (target === silenceAll || target === serviceOrKey) return true;
  const colon = serviceOrKey.indexOf(':');
  if (colon === -1) return false;
  return target === serviceOrKey.slice(colon + 1) || target === serviceOrKey.slice(0, colon);
}

/** The target of an active silence covering this service name or incident key, or null. */
export async function silenceCovering(db: Kysely<Tables>, serviceOrKey: string, at: number): Promise<string | null> {
  const rows = await db.selectFrom('silences').select('target').where('until', '>', at).execute();
  return rows.find((r) => silenceCovers(r.target, serviceOrKey))?.target ?? null;
}
