import type { Kysely } from 'kysely';

// The bot's state that must outlive a restart: the next Telegram update to fetch (so no command runs
// twice and none is missed), and the daily disk samples the digest charts. SQLite runs migrations
// without a transaction, so every statement can be re-run (ifNotExists).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('bot_state')
    .ifNotExists()
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('digest_disk_samples')
    .ifNotExists()
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('used_ratio', 'real', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('digest_disk_samples_at')
    .ifNotExists()
    .on('digest_disk_samples')
    .columns(['at'])
    .execute();
}
