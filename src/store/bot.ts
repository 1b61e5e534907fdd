import type { Store } from './db.ts';
import { toIncident } from './incidents.ts';

/** A value the bot keeps across restarts (`telegram.offset`), or null before the first write. */
export async function readBotState(store: Store, key: string): Promise<string | null> {
  const row = await store.db.selectFrom('bot_state').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value ?? null;
}

export async function writeBotState(store: Store, key: string, value: string, at: number): Promise<void> {
  await store.db
    .insertInto('bot_state')
    .values({ key, value, updated_at: at })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: at }))
    .execute();
}

/** Incidents open at some point after `since`: still unresolved, or resolved after it. Oldest first. */
export async function incidentsSince(store: Store, since: number) {
  const rows = await store.db
    .selectFrom('incidents')
    .selectAll()
    .where((eb) => eb.or([eb('state', '<>', 'resolved'), eb('resolved_at', '>=', since), eb('opened_at', '>=', since)]))
    .orderBy('opened_at')
    .orderBy('id')
    .execute();
  return rows.map(toIncident);
}

export interface DiskSample {
  path: string;
  at: number;
  usedRatio: number;
}

/** Stores today's readings and forgets those older than `keepSince`. */
export async function recordDiskSamples(
  store: Store,
  samples: readonly DiskSample[],
  keepSince: number,
): Promise<void> {
  await store.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('digest_disk_samples').where('at', '<', keepSince).execute();
    for (const s of samples)
      await trx.insertInto('digest_disk_samples').values({ path: s.path, at: s.at, used_ratio: s.usedRatio }).execute();
  });
}

export async function diskSamplesSince(store: Store, since: number): Promise<DiskSample[]> {
  const rows = await store.db
    .selectFrom('digest_disk_samples')
    .selectAll()
    .where('at', '>=', since)
    .orderBy('at')
    .execute();
  return rows.map((r) => ({ path: r.path, at: r.at, usedRatio: r.used_ratio }));
}
