import type { Kysely } from 'kysely';

// `sending_at` is set just before a row goes to Telegram and cleared when the outcome is known: a
// pending row that still has it at start was in flight when warden died, so its re-send says so
// (`resent`). Indexes serve the daily retention prune. SQLite runs migrations without a
// transaction and has no ADD COLUMN IF NOT EXISTS: look first, so a re-run is harmless.
export async function up(db: Kysely<unknown>): Promise<void> {
  const outbox = (await db.introspection.getTables()).find((t) => t.name === 'outbox');
  const has = (name: string): boolean => outbox?.columns.some((c) => c.name === name) ?? false;
  if (!has('sending_at')) await db.schema.alterTable('outbox').addColumn('sending_at', 'bigint').execute();
  if (!has('resent'))
    await db.schema
      .alterTable('outbox')
      .addColumn('resent', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  await db.schema.createIndex('outbox_finished').ifNotExists().on('outbox').columns(['state', 'sent_at']).execute();
  await db.schema
    .createIndex('incidents_resolved')
    .ifNotExists()
    .on('incidents')
    .columns(['state', 'resolved_at'])
    .execute();
  await db.schema.createIndex('runs_stopped').ifNotExists().on('runs').column('stopped_at').execute();
}
