import type { Kysely } from 'kysely';

const columns = [
  ['label', 'text'],
  ['server_version', 'text'],
  ['verify_detail', 'text'],
  ['restore_verified_at', 'bigint'],
  ['pid', 'integer'],
] as const;

// SQLite runs migrations without a transaction: add only the columns a failed earlier attempt left out.
export async function up(db: Kysely<unknown>): Promise<void> {
  const tables = await db.introspection.getTables();
  const existing = new Set(tables.find((t) => t.name === 'backups')?.columns.map((c) => c.name) ?? []);
  for (const [name, type] of columns) {
    if (!existing.has(name)) await db.schema.alterTable('backups').addColumn(name, type).execute();
  }
  await db.schema.createIndex('backups_state').ifNotExists().on('backups').columns(['state']).execute();
}
