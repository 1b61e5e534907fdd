import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import { describeError, WardenError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { describePostgresUrl } from '../lib/postgres-url.ts';
import { migrations } from './migrations/index.ts';
import type { Tables } from './tables.ts';

/**
 * warden's own state, on SQLite (the default, independent of the databases warden watches) or
 * PostgreSQL. The only place with SQL is `store/`.
 * @example const store = await openStore('sqlite:./data/warden.db', { log }); …; await store.close();
 */
export interface Store {
  db: Kysely<Tables>;
  dialect: 'sqlite' | 'postgres';
  /** Where the store is, without credentials: `data/warden.db` or `127.0.0.1:5432/warden`. */
  location: string;
  close(): Promise<void>;
}

export async function openStore(url: string, options: { log?: Logger } = {}): Promise<Store> {
  const store = url.startsWith('sqlite:')
    ? openSqlite(url.slice('sqlite:'.length))
    : await openPostgres(url, options.log);
  try {
    await migrate(store);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

function openSqlite(file: string): Store {
  let database: Database.Database;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    database = new Database(file);
    database.pragma('journal_mode = WAL');
    database.pragma('busy_timeout = 5000');
    database.pragma('synchronous = NORMAL');
  } catch (err) {
    throw new WardenError(
      'STORE_UNAVAILABLE',
      `store ${file}: cannot open (${describeError(err)}); check store.url and that the folder is writable`,
      {
        cause: err,
      },
    );
  }
  return withMemoisedClose({
    db: new Kysely<Tables>({ dialect: new SqliteDialect({ database }) }),
    dialect: 'sqlite',
    location: file,
  });
}

async function openPostgres(url: string, log?: Logger): Promise<Store> {
  // Loaded on demand: pg costs ~15 MB of RSS that the default SQLite store does not need.
  const { default: pg } = await import('pg');
  // int8 (bigint columns, count(*)) arrive as strings by default; warden's values fit a double.
  const numericBigints = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === 20
        ? (value: string) => Number(value)
        : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  };
  const location = describePostgresUrl(url);
  const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 5000, types: numericBigints });
  // An idle client whose backend dies emits 'error' on the pool; unhandled, it kills the process.
  pool.on('error', (err: Error) => log?.warn({ err, store: location }, 'store connection lost'));
  return withMemoisedClose({
    db: new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) }),
    dialect: 'postgres',
    location,
  });
}

function withMemoisedClose(store: Omit<Store, 'close'>): Store {
  let closing: Promise<void> | undefined;
  return { ...store, close: () => (closing ??= store.db.destroy()) };
}

async function migrate(store: Store): Promise<void> {
  const migrator = new Migrator({ db: store.db, provider: { getMigrations: () => Promise.resolve(migrations) } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new WardenError(
      'STORE_UNAVAILABLE',
      `store ${store.location}: ${failed ? `migration ${failed} failed` : 'cannot connect'} (${describeError(error)}); check store.url`,
      {
        cause: error,
      },
    );
  }
}
