import { sql, type Kysely } from 'kysely';
import { idColumn } from './columns.ts';

// Incidents, their history and the alert outbox. SQLite runs migrations without a transaction,
// so every statement can be re-run (ifNotExists).
export async function up(db: Kysely<unknown>): Promise<void> {
  await idColumn(db.schema.createTable('incidents').ifNotExists(), db)
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('excerpt', 'text')
    .addColumn('opened_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('acknowledged_at', 'bigint')
    .addColumn('acknowledged_by', 'text')
    .addColumn('resolved_at', 'bigint')
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('actions', 'text', (c) => c.notNull())
    .addColumn('parent_key', 'text')
    .execute();
  // One unresolved incident per key: a repeat updates it, it never opens a second one.
  await db.schema
    .createIndex('incidents_unresolved_key')
    .ifNotExists()
    .unique()
    .on('incidents')
    .column('key')
    .where(sql.ref('state'), '<>', 'resolved')
    .execute();
  await db.schema
    .createIndex('incidents_state')
    .ifNotExists()
    .on('incidents')
    .columns(['state', 'opened_at'])
    .execute();

  await idColumn(db.schema.createTable('incident_history').ifNotExists(), db)
    .addColumn('incident_id', 'integer', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('incident_history_incident')
    .ifNotExists()
    .on('incident_history')
    .columns(['incident_id', 'at'])
    .execute();

  await idColumn(db.schema.createTable('outbox').ifNotExists(), db)
    .addColumn('chat_id', 'text', (c) => c.notNull())
    .addColumn('thread', 'integer')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'integer')
    .addColumn('ref_id', 'integer')
    .addColumn('payload', 'text')
    .addColumn('owner', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('plain', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .addColumn('message_id', 'text')
    .addColumn('group_id', 'integer')
    .addColumn('last_error', 'text')
    .execute();
  await db.schema
    .createIndex('outbox_pending')
    .ifNotExists()
    .on('outbox')
    .columns(['state', 'chat_id', 'id'])
    .execute();
  await db.schema.createIndex('outbox_incident').ifNotExists().on('outbox').columns(['incident_id', 'kind']).execute();
  await db.schema.createIndex('outbox_group').ifNotExists().on('outbox').column('group_id').execute();
}
