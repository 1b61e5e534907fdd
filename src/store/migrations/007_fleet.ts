import { sql, type Kysely } from 'kysely';

// Fleet mode: several daemons (one per `host`) share a PostgreSQL store. Incidents and check results
// carry the host they are about; rows written before this migration belong to the host of the
// store's last run (a single-host install), so their keys keep working there. Outbox rows get a
// claim: the instance sending a chat holds its head rows until `claim_until`, and a claim whose
// holder died is taken over after it. SQLite runs migrations without a transaction and has no ADD
// COLUMN IF NOT EXISTS: look first, so a re-run is harmless.
export async function up(db: Kysely<unknown>): Promise<void> {
  const tables = await db.introspection.getTables();
  const has = (table: string, column: string): boolean =>
    tables.find((t) => t.name === table)?.columns.some((c) => c.name === column) ?? false;
  for (const table of ['incidents', 'check_results']) {
    if (has(table, 'host')) continue;
    await db.schema
      .alterTable(table)
      .addColumn('host', 'text', (c) => c.notNull().defaultTo(''))
      .execute();
    await sql`UPDATE ${sql.table(table)} SET host = COALESCE((SELECT host FROM runs ORDER BY id DESC LIMIT 1), '')`.execute(
      db,
    );
  }
  if (!has('outbox', 'claim_host')) await db.schema.alterTable('outbox').addColumn('claim_host', 'text').execute();
  if (!has('outbox', 'claim_token')) await db.schema.alterTable('outbox').addColumn('claim_token', 'text').execute();
  if (!has('outbox', 'claim_until')) await db.schema.alterTable('outbox').addColumn('claim_until', 'bigint').execute();
  // One unresolved incident per key on each host: two hosts' `service-down:api` are two incidents.
  await db.schema
    .createIndex('incidents_unresolved_host_key')
    .ifNotExists()
    .unique()
    .on('incidents')
    .columns(['host', 'key'])
    .where(sql.ref('state'), '<>', 'resolved')
    .execute();
  await db.schema.dropIndex('incidents_unresolved_key').ifExists().execute();
  await db.schema
    .createIndex('check_results_host_service_at')
    .ifNotExists()
    .on('check_results')
    .columns(['host', 'service', 'at'])
    .execute();
  await db.schema
    .createTable('outbox_pace')
    .ifNotExists()
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('slot', 'bigint', (c) => c.notNull())
    .execute();
}
