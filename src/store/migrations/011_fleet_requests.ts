import type { Kysely } from 'kysely';
import { idColumn } from './columns.ts';

// Fleet mode: the leader polls the bot, but a restart asked from Telegram for another host's
// service must run on that host, with its own pm2 and config. The leader writes a request here; the
// owning host claims it (a conditional update, so it runs once), runs it and writes the outcome.
// `action` is only 'restart' for now. SQLite runs migrations without a transaction, so every
// statement can be re-run (ifNotExists).
export async function up(db: Kysely<unknown>): Promise<void> {
  await idColumn(db.schema.createTable('fleet_requests').ifNotExists(), db)
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('claimed_at', 'bigint')
    .addColumn('finished_at', 'bigint')
    .addColumn('ok', 'integer')
    .addColumn('detail', 'text')
    .execute();
  await db.schema
    .createIndex('fleet_requests_host_pending')
    .ifNotExists()
    .on('fleet_requests')
    .columns(['host', 'finished_at'])
    .execute();
}
