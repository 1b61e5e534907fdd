import type { Kysely } from 'kysely';
import { idColumn } from './columns.ts';

// SQLite runs migrations without a transaction, so every statement can be re-run (ifNotExists).
export async function up(db: Kysely<unknown>): Promise<void> {
  await idColumn(db.schema.createTable('runs').ifNotExists(), db)
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('stopped_at', 'bigint')
    .addColumn('last_tick_at', 'bigint', (c) => c.notNull())
    .addColumn('pid', 'integer', (c) => c.notNull())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .execute();

  await idColumn(db.schema.createTable('check_results').ifNotExists(), db)
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('ok', 'integer', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('latency_ms', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('check_results_service_at')
    .ifNotExists()
    .on('check_results')
    .columns(['service', 'at'])
    .execute();

  await idColumn(db.schema.createTable('backups').ifNotExists(), db)
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('file', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint')
    .addColumn('sha256', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addColumn('verified_at', 'bigint')
    .addColumn('error', 'text')
    .execute();
  await db.schema
    .createIndex('backups_target_started')
    .ifNotExists()
    .on('backups')
    .columns(['target', 'started_at'])
    .execute();

  await idColumn(db.schema.createTable('silences').ifNotExists(), db)
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('until', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}
