import type { Store } from './db.ts';
import type { BackupsTable } from './tables.ts';

export type BackupState = BackupsTable['state'];

export interface BackupRow {
  id: number;
  target: string;
  file: string;
  sizeBytes: number | null;
  state: BackupState;
  startedAt: number;
  finishedAt: number | null;
  error: string | null;
}

/** The newest backup of each target, whatever its state (for `warden status`). */
export async function latestBackupPerTarget(store: Store): Promise<BackupRow[]> {
  const newest = store.db
    .selectFrom('backups')
    .select((eb) => eb.fn.max('id').as('id'))
    .groupBy('target');
  const rows = await store.db.selectFrom('backups').selectAll().where('id', 'in', newest).orderBy('target').execute();
  return rows.map((r) => ({
    id: r.id,
    target: r.target,
    file: r.file,
    sizeBytes: r.size_bytes,
    state: r.state,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    error: r.error,
  }));
}
