import type { Kysely } from 'kysely';

// The incidents of one service's outage (crashed, crash-loop, down, gave up) are one conversation
// in the chat: they share the first one's message. `conversation_id` names that first incident;
// null on the first one itself and on incidents that stand alone. SQLite has no ADD COLUMN IF NOT
// EXISTS and runs migrations without a transaction: look first, so a re-run is harmless.
export async function up(db: Kysely<unknown>): Promise<void> {
  const incidents = (await db.introspection.getTables()).find((t) => t.name === 'incidents');
  if (!incidents?.columns.some((c) => c.name === 'conversation_id'))
    await db.schema.alterTable('incidents').addColumn('conversation_id', 'integer').execute();
  await db.schema
    .createIndex('incidents_conversation')
    .ifNotExists()
    .on('incidents')
    .column('conversation_id')
    .execute();
}
