import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { describePostgresUrl } from '../lib/postgres-url.ts';
import { BackupError } from './backup-error.ts';

/** The parts of a postgres:// URL the tools need; the password stays out of argv. */
export interface PgTarget {
  host: string;
  port: string;
  user: string;
  password: string;
  database: string;
  sslmode: string | null;
}

export function parsePgUrl(url: string): PgTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BackupError(`${describePostgresUrl(url)}: not a valid postgres:// URL`);
  }
  return {
    host: decodeURIComponent(parsed.hostname) || '127.0.0.1',
    port: parsed.port || '5432',
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database: decodeURIComponent(parsed.pathname.slice(1)) || decodeURIComponent(parsed.username) || 'postgres',
    sslmode: parsed.searchParams.get('sslmode'),
  };
}

/** `host:port/db` for messages: never the password. */
export const describePg = (t: PgTarget, database = t.database): string => `${t.host}:${t.port}/${database}`;

const escapePass = (value: string): string => value.replace(/\\/g, '\\\\').replace(/:/g, '\\:');

/**
 * Runs `work` with libpq environment variables for `target`. The password reaches the tools only
 * through a 0600 passfile in a 0700 temp folder, removed afterwards: never argv (`/proc/PID/cmdline`
 * is world-readable) and never the environment.
 */
export async function withPgEnv<T>(
  target: PgTarget,
  base: NodeJS.ProcessEnv,
  work: (env: NodeJS.ProcessEnv) => Promise<T>,
): Promise<T> {
  const env: NodeJS.ProcessEnv = {
    ...Object.fromEntries(Object.entries(base).filter(([k]) => !k.startsWith('PG'))),
    PGHOST: target.host,
    PGPORT: target.port,
    PGDATABASE: target.database,
    PGAPPNAME: 'warden-backup',
    PGCONNECT_TIMEOUT: '10',
    ...(target.user && { PGUSER: target.user }),
    ...(target.sslmode && { PGSSLMODE: target.sslmode }),
  };
  if (!target.password) return work(env);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'warden-pg-'));
  try {
    const passfile = path.join(dir, 'pgpass');
    await fs.writeFile(passfile, `*:*:*:*:${escapePass(target.password)}\n`, { mode: 0o600 });
    return await work({ ...env, PGPASSFILE: passfile });
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** A pg client for `target` (optionally another database on the same server); the caller ends it. */
export async function connectPg(target: PgTarget, database = target.database): Promise<pg.Client> {
  const { default: pgModule } = await import('pg');
  const client = new pgModule.Client({
    host: target.host,
    port: Number(target.port),
    user: target.user || undefined,
    password: target.password || undefined,
    database,
    connectionTimeoutMillis: 10_000,
    ...(target.sslmode && target.sslmode !== 'disable'
      ? { ssl: { rejectUnauthorized: target.sslmode !== 'require' } }
      : {}),
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw new BackupError(`${describePg(target, database)}: cannot connect (${(err as Error).message})`, null, {
      cause: err,
    });
  }
  return client;
}

/** Quotes an identifier for SQL (database names in CREATE/DROP DATABASE). */
export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;
