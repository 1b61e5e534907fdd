import type { CreateTableBuilder, Kysely } from 'kysely';

export function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter.constructor.name === 'PostgresAdapter';
}

/** An auto-numbered `id` primary key on either dialect. */
export function idColumn<T extends string>(table: CreateTableBuilder<T, never>, db: Kysely<unknown>) {
  return isPostgres(db)
    ? table.addColumn('id', 'integer', (c) => c.generatedByDefaultAsIdentity().primaryKey())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}
