import type pg from 'pg';
import type { Clock } from '../lib/clock.ts';
import { describeError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { stopQuietly, type Part } from '../lib/part.ts';
import { describePostgresUrl } from '../lib/postgres-url.ts';
import { runInBackground } from '../lib/run-in-background.ts';

export interface LeadershipOptions {
  /** The PostgreSQL store's URL; null (a SQLite store) makes this instance leader while it runs. */
  url: string | null;
  host: string;
  clock: Clock;
  log: Logger;
  /** How often a follower tries the lock and a leader proves its session is alive. */
  pollMs: number;
  /** The leader's work, built afresh at each gain (a Part starts once): started in order, stopped in reverse. */
  work(): Part[];
}

/**
 * Which instance of a fleet does the shared work (bot polling, digest, backups, watching peers):
 * the one holding a PostgreSQL advisory lock on its own session, not the pool's, so the lock lives
 * and dies with one connection. Losing that connection stops the work at once; another instance
 * takes the lock on its next poll.
 * @example const leader = createLeadership({ url, host, clock, log, pollMs: 2000, work: () => [digest] }); leader.isLeader()
 */
export interface Leadership extends Part {
  isLeader(): boolean;
}

/** 'lead': apart from the per-host store locks, which use the two-key form (src/store/lock.ts). */
const leaderKey = 0x6c656164;

export function createLeadership(options: LeadershipOptions): Leadership {
  const { url, clock } = options;
  const log = options.log.child({ part: 'leader' });
  const controller = new AbortController();
  let session: pg.Client | null = null;
  let leading = false;
  // a leader that lost its session sits out a round, so a healthy peer takes over rather than it
  let restUntil = 0;
  let work: Part[] = [];
  let loop: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;
  // gains and losses run one at a time, in order, so work never starts while it is being stopped
  let transitions: Promise<void> = Promise.resolve();
  const serially = (step: () => Promise<void>): Promise<void> => (transitions = transitions.then(step, step));

  const startWork = async (): Promise<void> => {
    leading = true;
    for (const part of options.work()) {
      try {
        await part.start();
        work.push(part);
      } catch (err) {
        log.error({ err, part: part.name }, 'leader work failed to start');
      }
    }
  };

  const stopWork = async (): Promise<void> => {
    leading = false;
    const started = work;
    work = [];
    for (const part of started.toReversed()) await stopQuietly(part, log);
  };

  const stepDown = (client: pg.Client, reason: string): Promise<void> =>
    serially(async () => {
      if (session !== client) return;
      session = null;
      const wasLeading = leading;
      // the work stops before the session ends: a voluntary release must not overlap the next leader
      if (wasLeading) {
        log.warn({ host: options.host, reason }, 'leadership lost; leader work stopping');
        restUntil = clock.now() + options.pollMs * 2;
      }
      await stopWork();
      await client.end().catch(() => undefined);
      if (wasLeading) log.info({ host: options.host }, 'leader work stopped');
    });

  const connect = async (target: string): Promise<pg.Client> => {
    const { default: pgModule } = await import('pg');
    const client = new pgModule.Client({
      connectionString: target,
      connectionTimeoutMillis: Math.max(options.pollMs * 2, 2000),
      query_timeout: Math.max(options.pollMs * 2, 2000),
      keepAlive: true,
      application_name: `warden leader ${options.host} pid ${process.pid}`,
    });
    // an unhandled 'error' would kill the daemon; a dead session means the lock is gone with it
    client.on('error', (err) => runInBackground(log, 'leader step-down', () => stepDown(client, describeError(err))));
    client.on('end', () => runInBackground(log, 'leader step-down', () => stepDown(client, 'session ended')));
    try {
      await client.connect();
      // the server then notices a vanished leader in about 10 s and frees the lock for the others
      await client.query('SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 3');
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    return client;
  };

  /** One poll: a follower tries the lock, a leader proves its session still answers. */
  const poll = async (target: string): Promise<void> => {
    const client = session ?? (session = await connect(target));
    if (leading) {
      await client.query('SELECT 1');
      return;
    }
    if (clock.now() < restUntil) return;
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [leaderKey]);
    if (!rows[0]?.locked || session !== client) return;
    await serially(async () => {
      if (session !== client || controller.signal.aborted) return;
      log.info({ host: options.host }, 'leadership taken');
      await startWork();
    });
  };

  const pollQuietly = async (target: string): Promise<void> => {
    try {
      await poll(target);
    } catch (err) {
      const client = session;
      if (client) await stepDown(client, describeError(err));
      else log.debug({ reason: describeError(err), store: describePostgresUrl(target) }, 'leader lock not reachable');
    }
  };

  const run = async (target: string): Promise<void> => {
    const { signal } = controller;
    while (!signal.aborted) {
      try {
        await clock.sleep(options.pollMs, signal);
      } catch {
        return;
      }
      await pollQuietly(target);
    }
  };

  return {
    name: 'fleet-leader',
    isLeader: () => leading,
    start: async () => {
      if (url === null) {
        await serially(startWork);
        return;
      }
      await pollQuietly(url);
      loop ??= run(url);
      runInBackground(log, 'fleet-leader', () => loop!);
    },
    stop: () =>
      (stopping ??= (async () => {
        controller.abort(new Error('leadership stopped'));
        await loop;
        const client = session;
        if (client) await stepDown(client, 'warden stopping');
        else await serially(stopWork);
      })()),
  };
}
