import type { Kysely } from 'kysely';

// Fleet mode (several hosts on one PostgreSQL store): each instance's heartbeat, read by the leader
// to notice a host that went quiet, and the slots of shared scheduled jobs already claimed, so a job
// runs once per slot across leader changes. SQLite runs migrations without a transaction, so every
// statement can be re-run (ifNotExists).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('fleet_hosts')
    .ifNotExists()
    .addColumn('host', 'text', (c) => c.primaryKey())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen', 'bigint', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('pid', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('fleet_slots')
    .ifNotExists()
    .addColumn('job', 'text', (c) => c.notNull())
    .addColumn('slot_at', 'bigint', (c) => c.notNull())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('claimed_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('fleet_slots_pk', ['job', 'slot_at'])
    .execute();
}
