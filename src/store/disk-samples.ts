import type { Store } from './db.ts';

export interface DiskSample {
  at: number;
  usedBytes: number;
  totalBytes: number;
}

/** Stores one reading and drops the ones older than `keepFrom`. */
export async function addDiskSample(store: Store, path: string, sample: DiskSample, keepFrom: number): Promise<void> {
  await store.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('disk_samples')
      .values({ path, at: sample.at, used_bytes: sample.usedBytes, total_bytes: sample.totalBytes })
      .execute();
    await trx.deleteFrom('disk_samples').where('path', '=', path).where('at', '<', keepFrom).execute();
  });
}

/** The readings of `path` since `from`, oldest first. */
export async function diskSamples(store: Store, path: string, from: number): Promise<DiskSample[]> {
  const rows = await store.db
    .selectFrom('disk_samples')
    .select(['at', 'used_bytes', 'total_bytes'])
    .where('path', '=', path)
    .where('at', '>=', from)
    .orderBy('at')
    .execute();
  return rows.map((r) => ({ at: Number(r.at), usedBytes: Number(r.used_bytes), totalBytes: Number(r.total_bytes) }));
}
