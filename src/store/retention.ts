import { sql, type Kysely } from 'kysely';
import type { Tables } from './tables.ts';

type Db = Kysely<Tables>;

/** How many rows of each table one prune removed. */
export interface Pruned {
  incidents: number;
  history: number;
  outbox: number;
  runs: number;
  silences: number;
}

export interface PruneOptions {
  /** Rows that ended before this (ms) go. */
  before: number;
  /** Rows per delete statement: short statements keep the store free for the daemon's own writes [500]. */
  batchSize?: number;
  signal?: AbortSignal;
}

const finished = ['sent', 'logged', 'failed', 'skipped', 'abandoned'] as const;

/**
 * Deletes what warden no longer needs from its own tables: incidents resolved before `before` with
 * their history and alert rows, delivered alert rows of no incident, runs that ended before it
 * (never the latest), expired silences. Open incidents and their messages stay, whatever their
 * age: a later resolution edits those messages. Pending rows are never deleted.
 */
export async function pruneStore(db: Db, options: PruneOptions): Promise<Pruned> {
  const batchSize = options.batchSize ?? 500;
  const pruned: Pruned = { incidents: 0, history: 0, outbox: 0, runs: 0, silences: 0 };
  const inBatches = async (select: () => Promise<number[]>, remove: (ids: number[]) => Promise<void>) => {
    let total = 0;
    for (;;) {
      options.signal?.throwIfAborted();
      const ids = await select();
      if (ids.length === 0) return total;
      await remove(ids);
      total += ids.length;
      if (ids.length < batchSize) return total;
    }
  };

  pruned.incidents = await inBatches(
    async () =>
      (
        await db
          .selectFrom('incidents')
          .select('id')
          .where('state', '=', 'resolved')
          .where('resolved_at', '<', options.before)
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(
                selectFrom('outbox')
                  .select(sql.lit(1).as('one'))
                  .whereRef('outbox.incident_id', '=', 'incidents.id')
                  .where('outbox.state', '=', 'pending'),
              ),
            ),
          )
          .orderBy('id')
          .limit(batchSize)
          .execute()
      ).map((r) => r.id),
    async (ids) => {
      await db.transaction().execute(async (tx) => {
        const outbox = await tx.deleteFrom('outbox').where('incident_id', 'in', ids).executeTakeFirst();
        const history = await tx.deleteFrom('incident_history').where('incident_id', 'in', ids).executeTakeFirst();
        await tx.deleteFrom('incidents').where('id', 'in', ids).execute();
        pruned.outbox += Number(outbox.numDeletedRows);
        pruned.history += Number(history.numDeletedRows);
      });
    },
  );

  pruned.outbox += await inBatches(
    async () =>
      (
        await db
          .selectFrom('outbox')
          .select('id')
          .where('incident_id', 'is', null)
          .where('state', 'in', finished)
          .where('sent_at', '<', options.before)
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(
                selectFrom('outbox as referrer')
                  .select(sql.lit(1).as('one'))
                  .whereRef('referrer.ref_id', '=', 'outbox.id')
                  .where('referrer.state', '=', 'pending'),
              ),
            ),
          )
          .orderBy('id')
          .limit(batchSize)
          .execute()
      ).map((r) => r.id),
    async (ids) => {
      await db.deleteFrom('outbox').where('id', 'in', ids).execute();
    },
  );

  const latest = await db
    .selectFrom('runs')
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirst();
  pruned.runs = await inBatches(
    async () =>
      (
        await db
          .selectFrom('runs')
          .select('id')
          .where('last_tick_at', '<', options.before)
          .where('id', '<>', latest?.id ?? -1)
          .orderBy('id')
          .limit(batchSize)
          .execute()
      ).map((r) => r.id),
    async (ids) => {
      await db.deleteFrom('runs').where('id', 'in', ids).execute();
    },
  );

  pruned.silences = await inBatches(
    async () =>
      (
        await db
          .selectFrom('silences')
          .select('id')
          .where('until', '<', options.before)
          .orderBy('id')
          .limit(batchSize)
          .execute()
      ).map((r) => r.id),
    async (ids) => {
      await db.deleteFrom('silences').where('id', 'in', ids).execute();
    },
  );
  return pruned;
}
