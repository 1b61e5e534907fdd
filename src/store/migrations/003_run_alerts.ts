import type { Kysely } from 'kysely';

// How each run sends alerts ('telegram' or 'dry-run'): `warden status` runs in a shell whose
// environment may lack the daemon's token, so it reads the mode the daemon recorded.
// SQLite has no ADD COLUMN IF NOT EXISTS and runs migrations without a transaction: look first.
export async function up(db: Kysely<unknown>): Promise<void> {
  const runs = (await db.introspection.getTables()).find((t) => t.name === 'runs');
  if (runs?.columns.some((c) => c.name === 'alerts')) return;
  await db.schema.alterTable('runs').addColumn('alerts', 'text').execute();
}
