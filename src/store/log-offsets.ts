import type { Store } from './db.ts';

/** Where pattern scanning of one file stopped; `ino` tells a new file from the one read before. */
export interface LogOffset {
  ino: string;
  position: number;
}

export interface LogMatchBatch {
  pattern: string;
  count: number;
  lines: string[];
}

export async function readLogOffset(store: Store, file: string): Promise<LogOffset | null> {
  const row = await store.db
    .selectFrom('log_offsets')
    .select(['ino', 'position'])
    .where('file', '=', file)
    .executeTakeFirst();
  return row ? { ino: row.ino, position: Number(row.position) } : null;
}

/**
 * Moves the offset and records what the bytes up to it matched, in one transaction: after a crash
 * either both happened or neither, so a line is never counted twice or skipped.
 */
export async function advanceLogOffset(
  store: Store,
  file: string,
  offset: LogOffset,
  matches: LogMatchBatch[],
  at: number,
): Promise<void> {
  await store.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('log_offsets')
      .values({ file, ino: offset.ino, position: offset.position, updated_at: at })
      .onConflict((oc) => oc.column('file').doUpdateSet({ ino: offset.ino, position: offset.position, updated_at: at }))
      .execute();
    const rows = matches
      .filter((m) => m.count > 0)
      .map((m) => ({ file, pattern: m.pattern, at, count: m.count, lines: JSON.stringify(m.lines) }));
    if (rows.length > 0) await trx.insertInto('log_matches').values(rows).execute();
  });
}

/** Matches of one pattern in one file since `from`: the count, and the newest `keep` lines (oldest first). */
export async function recentLogMatches(
  store: Store,
  file: string,
  pattern: string,
  from: number,
  keep = 10,
): Promise<{ count: number; lines: string[] }> {
  const rows = await store.db
    .selectFrom('log_matches')
    .select(['count', 'lines'])
    .where('file', '=', file)
    .where('pattern', '=', pattern)
    .where('at', '>=', from)
    .orderBy('id')
    .execute();
  let count = 0;
  let lines: string[] = [];
  for (const row of rows) {
    count += Number(row.count);
    lines = [...lines, ...(JSON.parse(row.lines) as string[])].slice(-keep);
  }
  return { count, lines };
}

/** Total matches ever recorded for a file and pattern (what `warden status` and tests read). */
export async function countLogMatches(store: Store, file: string, pattern: string): Promise<number> {
  const row = await store.db
    .selectFrom('log_matches')
    .select((eb) => eb.fn.sum<number>('count').as('total'))
    .where('file', '=', file)
    .where('pattern', '=', pattern)
    .executeTakeFirst();
  return Number(row?.total ?? 0);
}

export async function pruneLogMatches(store: Store, before: number): Promise<void> {
  await store.db.deleteFrom('log_matches').where('at', '<', before).execute();
}
