import fs from 'node:fs';
import Database from 'better-sqlite3';
import { describeError, WardenError } from '../lib/errors.ts';
import { describePostgresUrl } from '../lib/postgres-url.ts';
import { migrations } from './migrations/index.ts';

/**
 * What `warden check` learns about the store without changing it: no migration, no folder, no
 * lock. `absent` is a SQLite file not created yet; `warden run` creates and migrates it.
 * @example { dialect: 'sqlite', location: '/srv/warden/data/warden.db', state: 'behind', pending: ['004_retention'], unknown: [] }
 */
export interface StoreInspection {
  dialect: 'sqlite' | 'postgres';
  location: string;
  state: 'absent' | 'current' | 'behind' | 'ahead';
  /** Migrations this version has that the store has not run. */
  pending: string[];
  /** Migrations the store has run that this version does not know: a newer warden wrote it. */
  unknown: string[];
}

/** Reads which migrations the store has run; throws STORE_UNAVAILABLE when it cannot be read. */
export async function inspectStore(url: string): Promise<StoreInspection> {
  if (url.startsWith('sqlite:')) return inspectSqlite(url.slice('sqlite:'.length));
  return inspectPostgres(url);
}

function inspectSqlite(file: string): StoreInspection {
  if (!fs.existsSync(file)) return { dialect: 'sqlite', location: file, ...compare(null) };
  try {
    const database = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const table = database
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'kysely_migration'")
        .get();
      const names = table
        ? database
            .prepare('SELECT name FROM kysely_migration')
            .all()
            .map((row) => (row as { name: string }).name)
        : [];
      return { dialect: 'sqlite', location: file, ...compare(names) };
    } finally {
      database.close();
    }
  } catch (err) {
    throw new WardenError('STORE_UNAVAILABLE', `store ${file}: cannot read (${describeError(err)}); check store.url`, {
      cause: err,
    });
  }
}

async function inspectPostgres(url: string): Promise<StoreInspection> {
  const location = describePostgresUrl(url);
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  // a backend that dies while we wait would otherwise crash the process
  client.on('error', () => undefined);
  try {
    await client.connect();
    const exists = await client.query<{ found: string | null }>(
      "SELECT to_regclass('kysely_migration')::text AS found",
    );
    const names = exists.rows[0]?.found
      ? (await client.query<{ name: string }>('SELECT name FROM kysely_migration')).rows.map((row) => row.name)
      : [];
    return { dialect: 'postgres', location, ...compare(names) };
  } catch (err) {
    throw new WardenError(
      'STORE_UNAVAILABLE',
      `store ${location}: cannot connect (${describeError(err)}); check store.url`,
      {
        cause: err,
      },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

function compare(ran: string[] | null): Pick<StoreInspection, 'state' | 'pending' | 'unknown'> {
  const known = Object.keys(migrations);
  if (ran === null) return { state: 'absent', pending: known, unknown: [] };
  const pending = known.filter((name) => !ran.includes(name));
  const unknown = ran.filter((name) => !known.includes(name)).sort();
  const state = unknown.length > 0 ? 'ahead' : pending.length > 0 ? 'behind' : 'current';
  return { state, pending, unknown };
}
