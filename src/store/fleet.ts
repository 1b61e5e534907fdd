import type { Store } from './db.ts';

export interface FleetHost {
  host: string;
  startedAt: number;
  lastSeen: number;
  version: string;
  pid: number;
}

/** This instance is alive now: inserts or refreshes its row. */
export async function recordFleetBeat(store: Store, beat: FleetHost): Promise<void> {
  await store.db
    .insertInto('fleet_hosts')
    .values({
      host: beat.host,
      started_at: beat.startedAt,
      last_seen: beat.lastSeen,
      version: beat.version,
      pid: beat.pid,
    })
    .onConflict((oc) =>
      oc
        .column('host')
        .doUpdateSet({ started_at: beat.startedAt, last_seen: beat.lastSeen, version: beat.version, pid: beat.pid }),
    )
    .execute();
}

/** A clean stop: the host leaves the fleet instead of going quiet. */
export async function forgetFleetHost(store: Store, host: string): Promise<void> {
  await store.db.deleteFrom('fleet_hosts').where('host', '=', host).execute();
}

export async function listFleetHosts(store: Store): Promise<FleetHost[]> {
  const rows = await store.db.selectFrom('fleet_hosts').selectAll().orderBy('host').execute();
  return rows.map((r) => ({
    host: r.host,
    startedAt: r.started_at,
    lastSeen: r.last_seen,
    version: r.version,
    pid: r.pid,
  }));
}

/** Claimed slots are kept this long: a leader that stalls longer than this is long stepped down. */
const slotMemoryMs = 7 * 86_400_000;

/** Takes a job's slot for `host`; false when another leader took it first. */
export async function claimFleetSlot(
  store: Store,
  claim: { job: string; slotAt: number; host: string; at: number },
): Promise<boolean> {
  const result = await store.db
    .insertInto('fleet_slots')
    .values({ job: claim.job, slot_at: claim.slotAt, host: claim.host, claimed_at: claim.at })
    .onConflict((oc) => oc.columns(['job', 'slot_at']).doNothing())
    .executeTakeFirst();
  await store.db
    .deleteFrom('fleet_slots')
    .where('job', '=', claim.job)
    .where('slot_at', '<', claim.slotAt - slotMemoryMs)
    .execute();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** The newest slot of `job` any leader claimed, or null before the first. */
export async function lastFleetSlot(store: Store, job: string): Promise<number | null> {
  const row = await store.db
    .selectFrom('fleet_slots')
    .select((eb) => eb.fn.max('slot_at').as('slot'))
    .where('job', '=', job)
    .executeTakeFirst();
  return row?.slot == null ? null : Number(row.slot);
}
