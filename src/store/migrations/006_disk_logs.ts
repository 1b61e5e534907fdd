import type { Kysely } from 'kysely';
import { idColumn } from './columns.ts';

// Disk samples feed the fill forecast across restarts; log offsets and match counts make pattern
// scanning resume where it stopped. SQLite runs this without a transaction: every statement re-runs.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('disk_samples')
    .ifNotExists()
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('used_bytes', 'bigint', (c) => c.notNull())
    .addColumn('total_bytes', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('disk_samples_path_at')
    .ifNotExists()
    .on('disk_samples')
    .columns(['path', 'at'])
    .execute();

  await db.schema
    .createTable('log_offsets')
    .ifNotExists()
    .addColumn('file', 'text', (c) => c.primaryKey())
    .addColumn('ino', 'text', (c) => c.notNull())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await idColumn(db.schema.createTable('log_matches').ifNotExists(), db)
    .addColumn('file', 'text', (c) => c.notNull())
    .addColumn('pattern', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('lines', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('log_matches_file_at').ifNotExists().on('log_matches').columns(['file', 'at']).execute();
}
