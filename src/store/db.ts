import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type LogEvent } from 'kysely';
import { describeError, WardenError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { describePostgresUrl } from '../lib/postgres-url.ts';
import { createStoreHealth, type StoreHealth } from './health.ts';
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
  /** Whether writes still reach the store; the daemon's heartbeat probes it. */
  health: StoreHealth;
  close(): Promise<void>;
}

export interface StoreOptions {
  log?: Logger;
  /** The clock outages are timed with [Date.now]. */
  now?: () => number;
}

/** Below this much free space next to a SQLite store, writes are about to fail: report it before they do. */
const minFreeBytes = 256 * 1024;

export async function openStore(url: string, options: StoreOptions = {}): Promise<Store> {
  const store = url.startsWith('sqlite:')
    ? openSqlite(url.slice('sqlite:'.length), options)
    : await openPostgres(url, options);
  try {
    await migrate(store);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

function openSqlite(file: string, options: StoreOptions): Store {
  let database: Database.Database;
  let opened: fs.Stats;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    database = new Database(file);
    database.pragma('journal_mode = WAL');
    database.pragma('busy_timeout = 5000');
    database.pragma('synchronous = NORMAL');
    opened = fs.statSync(file);
  } catch (err) {
    throw new WardenError(
      'STORE_UNAVAILABLE',
      `store ${file}: cannot open (${describeError(err)}); check store.url and that the folder is writable`,
      {
        cause: err,
      },
    );
  }
  const health = createStoreHealth({ now: options.now ?? Date.now, verify: () => verifySqliteFile(file, opened) });
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database }), log: queryErrorsTo(health) });
  let closing: Promise<void> | undefined;
  return {
    db,
    dialect: 'sqlite',
    location: file,
    health,
    close: () =>
      (closing ??= (async () => {
        await saveOrphanedSqlite(database, file, opened, options.log);
        await db.destroy();
      })()),
  };
}

/**
 * A SQLite file deleted or replaced under an open handle still takes writes, but they go to an
 * inode nobody will open again: the next start would begin empty and lose every pending alert.
 */
function verifySqliteFile(file: string, opened: fs.Stats): void {
  let now: fs.Stats;
  try {
    now = fs.statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error('the database file was deleted', { cause: err });
    throw err;
  }
  if (now.ino !== opened.ino || now.dev !== opened.dev) throw new Error('the database file was replaced');
  const space = fs.statfsSync(path.dirname(file));
  const free = space.bavail * space.bsize;
  if (free < minFreeBytes) throw new Error(`the disk is full (${free} bytes free)`);
}

/**
 * At stop, writes the open copy of a deleted store back to its path, so a restart resumes with every
 * pending alert. A replaced file is left alone; the open copy is saved beside it.
 */
async function saveOrphanedSqlite(
  database: Database.Database,
  file: string,
  opened: fs.Stats,
  log: Logger | undefined,
): Promise<void> {
  let target: string;
  try {
    verifySqliteFile(file, opened);
    return;
  } catch (err) {
    const missing = !fs.existsSync(file);
    if (!missing && !describeError(err).includes('replaced')) return;
    target = missing ? file : `${file}.open-copy-${Date.now()}`;
  }
  const partial = `${target}.partial`;
  try {
    database.pragma('wal_checkpoint(TRUNCATE)');
    await database.backup(partial);
    fs.renameSync(partial, target);
    log?.warn({ store: file, savedTo: target }, 'store file was gone; saved the open copy');
  } catch (err) {
    fs.rmSync(partial, { force: true });
    log?.error({ err, store: file }, 'store file was gone and the open copy could not be saved');
  }
}

function queryErrorsTo(health: StoreHealth): (event: LogEvent) => void {
  return (event) => {
    if (event.level === 'error') health.noteQueryError();
  };
}

async function openPostgres(url: string, options: StoreOptions): Promise<Store> {
  const log = options.log;
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
  // query_timeout: a store that stops answering fails the heartbeat instead of hanging it.
  const pool = new pg.Pool({
    connectionString: url,
    max: 4,
    connectionTimeoutMillis: 5000,
    query_timeout: 15_000,
    types: numericBigints,
  });
  // An idle client whose backend dies emits 'error' on the pool; unhandled, it kills the process.
  pool.on('error', (err: Error) => log?.warn({ err, store: location }, 'store connection lost'));
  // A client checked out between two queries (a transaction, kysely's own handling) has no pool
  // listener: a terminated backend then emits 'error' on the client itself.
  pool.on('connect', (client) =>
    client.on('error', (err: Error) => log?.debug({ err, store: location }, 'store connection lost while in use')),
  );
  const health = createStoreHealth({ now: options.now ?? Date.now, verify: () => undefined });
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }), log: queryErrorsTo(health) });
  let closing: Promise<void> | undefined;
  return { db, dialect: 'postgres', location, health, close: () => (closing ??= db.destroy()) };
}

async function migrate(store: Store): Promise<void> {
  // Numbers were handed out ahead of landing: a store that already ran 009 still runs 007 and 008.
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
    allowUnorderedMigrations: true,
  });
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
