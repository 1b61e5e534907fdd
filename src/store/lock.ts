import fs from 'node:fs';
import path from 'node:path';
import { describeError, WardenError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { describePostgresUrl } from '../lib/postgres-url.ts';

/**
 * Proof that this process is the one daemon of its host on a store, held from before the store is
 * opened until the daemon has stopped: a lock file beside a SQLite store (one daemon per store), a
 * session advisory lock per `host` on a dedicated PostgreSQL connection (a fleet: other hosts join).
 * @example const lock = await lockStore(config.store.url, { pid: process.pid, host: config.host, log }); …; await lock.release();
 */
export interface StoreLock {
  /** False once the lock's PostgreSQL connection died; `reacquire()` takes it again when the store is back. */
  held(): boolean;
  reacquire(): Promise<void>;
  release(): Promise<void>;
}

/** The first half of the advisory lock's key; the second is the hash of the daemon's host. */
const advisoryKey = 0x77617264; // 'ward'

interface LockOptions {
  pid: number;
  /** `config.host`: on PostgreSQL each host has its own lock. */
  host: string;
  log: Logger;
}

export async function lockStore(url: string, options: LockOptions): Promise<StoreLock> {
  return url.startsWith('sqlite:')
    ? lockSqlite(`${url.slice('sqlite:'.length)}.lock`, options.pid)
    : lockPostgres(url, options);
}

function refused(location: string, holder: string, host?: string): WardenError {
  const whose = host === undefined ? '' : ` for host ${host}`;
  const remedy = host === undefined ? 'give this one its own store.url' : 'give this one its own host';
  return new WardenError(
    'STORE_LOCKED',
    `store ${location} is in use by another warden daemon (${holder})${whose}; stop it first, or ${remedy}`,
  );
}

function lockSqlite(file: string, pid: number): StoreLock {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const stamp = `${pid} ${startTimeOf(pid) ?? ''}`.trim();
  if (!createExclusive(file, stamp)) {
    const [holder, started] = readLock(file);
    // The holder died without removing its lock (SIGKILL, power loss), or its pid is now another process's.
    if (holder !== undefined && holder !== pid && isAlive(holder, started)) throw refused(file, `pid ${holder}`);
    fs.rmSync(file, { force: true });
    if (!createExclusive(file, stamp)) throw refused(file, `pid ${readLock(file)[0] ?? 'unknown'}`);
  }
  let released = false;
  return {
    held: () => !released,
    reacquire: () => Promise.resolve(),
    release: () => {
      if (released) return Promise.resolve();
      released = true;
      if (readLock(file)[0] === pid) fs.rmSync(file, { force: true });
      return Promise.resolve();
    },
  };
}

/** 'wx' creates the file or fails if it exists, so two starts cannot both win. */
function createExclusive(file: string, content: string): boolean {
  try {
    fs.writeFileSync(file, `${content}\n`, { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new WardenError(
      'STORE_LOCKED',
      `store lock ${file}: cannot create (${describeError(err)}); check that the folder is writable`,
      {
        cause: err,
      },
    );
  }
}

function readLock(file: string): [number | undefined, string | undefined] {
  try {
    const [pid, started] = fs.readFileSync(file, 'utf8').trim().split(' ');
    return [Number.isInteger(Number(pid)) ? Number(pid) : undefined, started];
  } catch {
    return [undefined, undefined];
  }
}

/** The kernel's start time of a process (field 22 of /proc/PID/stat): a pid plus this names one process. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function isAlive(pid: number, started: string | undefined): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = startTimeOf(pid);
  return started === undefined || now === undefined || now === started;
}

async function lockPostgres(url: string, options: LockOptions): Promise<StoreLock> {
  const { default: pg } = await import('pg');
  const location = describePostgresUrl(url);
  // PostgreSQL keeps 63 bytes of it: the pid first, so a refusal can always name the holder
  const applicationName = `warden daemon pid ${options.pid} host ${options.host}`;
  let client: InstanceType<typeof pg.Client> | null = null;
  let released = false;

  const take = async (): Promise<void> => {
    const next = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: 5000,
      application_name: applicationName,
    });
    // A dropped connection emits 'error'; unhandled it would kill the daemon. The lock is then gone.
    next.on('error', (err) => {
      if (client !== next) return;
      client = null;
      options.log.error({ err: describeError(err), store: location }, 'store lock lost: its connection died');
    });
    try {
      await next.connect();
      const { rows } = await next.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked',
        [advisoryKey, options.host],
      );
      if (!rows[0]?.locked) {
        // a two-part key shows as classid, objid (unsigned) and objsubid 2
        const holder = await next.query<{ application_name: string }>(
          `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
           WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.classid::bigint = $1
             AND l.objid::bigint = (hashtext($2)::bigint & 4294967295)
             AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          [advisoryKey, options.host],
        );
        const name = holder.rows[0]?.application_name ?? '';
        throw refused(location, /pid \d+/.exec(name)?.[0] ?? 'pid unknown', options.host);
      }
    } catch (err) {
      await next.end().catch(() => undefined);
      if (err instanceof WardenError) throw err;
      throw new WardenError(
        'STORE_UNAVAILABLE',
        `store ${location}: cannot connect (${describeError(err)}); check store.url`,
        { cause: err },
      );
    }
    client = next;
  };

  await take();
  return {
    held: () => client !== null,
    reacquire: async () => {
      if (client || released) return;
      await take();
      options.log.info({ store: location }, 'store lock taken again');
    },
    release: async () => {
      released = true;
      const last = client;
      client = null;
      await last?.end().catch(() => undefined);
    },
  };
}
