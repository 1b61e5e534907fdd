import type { Selectable } from 'kysely';
import type { Store } from './db.ts';
import type { BackupsTable } from './tables.ts';

export type BackupState = BackupsTable['state'];

/** One catalog row: a backup file of one target and what is known about it. */
export interface BackupRow {
  id: number;
  target: string;
  file: string;
  sizeBytes: number | null;
  sha256: string | null;
  state: BackupState;
  label: string | null;
  serverVersion: string | null;
  startedAt: number;
  finishedAt: number | null;
  verifiedAt: number | null;
  verifyDetail: string | null;
  restoreVerifiedAt: number | null;
  error: string | null;
  pid: number | null;
}

function toRow(r: Selectable<BackupsTable>): BackupRow {
  return {
    id: r.id,
    target: r.target,
    file: r.file,
    sizeBytes: r.size_bytes,
    sha256: r.sha256,
    state: r.state,
    label: r.label,
    serverVersion: r.server_version,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    verifiedAt: r.verified_at,
    verifyDetail: r.verify_detail,
    restoreVerifiedAt: r.restore_verified_at,
    error: r.error,
    pid: r.pid,
  };
}

export async function insertBackup(
  store: Store,
  row: { target: string; file: string; label: string | null; startedAt: number; pid: number },
): Promise<BackupRow> {
  const inserted = await store.db
    .insertInto('backups')
    .values({
      target: row.target,
      file: row.file,
      label: row.label,
      started_at: row.startedAt,
      pid: row.pid,
      state: 'running',
      size_bytes: null,
      sha256: null,
      finished_at: null,
      verified_at: null,
      error: null,
      server_version: null,
      verify_detail: null,
      restore_verified_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRow(inserted);
}

export interface BackupUpdate {
  state?: BackupState;
  sizeBytes?: number;
  sha256?: string;
  serverVersion?: string | null;
  finishedAt?: number;
  verifiedAt?: number;
  verifyDetail?: string;
  restoreVerifiedAt?: number;
  error?: string | null;
}

export async function updateBackup(store: Store, id: number, update: BackupUpdate): Promise<void> {
  await store.db
    .updateTable('backups')
    .set({
      ...(update.state !== undefined && { state: update.state }),
      ...(update.sizeBytes !== undefined && { size_bytes: update.sizeBytes }),
      ...(update.sha256 !== undefined && { sha256: update.sha256 }),
      ...(update.serverVersion !== undefined && { server_version: update.serverVersion }),
      ...(update.finishedAt !== undefined && { finished_at: update.finishedAt }),
      ...(update.verifiedAt !== undefined && { verified_at: update.verifiedAt }),
      ...(update.verifyDetail !== undefined && { verify_detail: update.verifyDetail }),
      ...(update.restoreVerifiedAt !== undefined && { restore_verified_at: update.restoreVerifiedAt }),
      ...(update.error !== undefined && { error: update.error }),
    })
    .where('id', '=', id)
    .execute();
}

export async function getBackup(store: Store, id: number): Promise<BackupRow | null> {
  const row = await store.db.selectFrom('backups').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toRow(row) : null;
}

/** Newest first; all targets unless one is named. */
export async function listBackups(store: Store, target?: string): Promise<BackupRow[]> {
  let query = store.db.selectFrom('backups').selectAll();
  if (target !== undefined) query = query.where('target', '=', target);
  const rows = await query.orderBy('started_at', 'desc').orderBy('id', 'desc').execute();
  return rows.map(toRow);
}

export async function listRunningBackups(store: Store): Promise<BackupRow[]> {
  const rows = await store.db.selectFrom('backups').selectAll().where('state', '=', 'running').execute();
  return rows.map(toRow);
}

export async function deleteBackup(store: Store, id: number): Promise<void> {
  await store.db.deleteFrom('backups').where('id', '=', id).execute();
}

/** The newest backup of each target, whatever its state (for `warden status`). */
export async function latestBackupPerTarget(store: Store): Promise<BackupRow[]> {
  const newest = store.db
    .selectFrom('backups')
    .select((eb) => eb.fn.max('id').as('id'))
    .groupBy('target');
  const rows = await store.db.selectFrom('backups').selectAll().where('id', 'in', newest).orderBy('target').execute();
  return rows.map(toRow);
}

/** The newest restore-verified backup of each target (for `warden status`). */
export async function latestRestoreVerifiedPerTarget(store: Store): Promise<BackupRow[]> {
  const rows = await store.db
    .selectFrom('backups')
    .selectAll()
    .where('restore_verified_at', 'is not', null)
    .orderBy('restore_verified_at', 'desc')
    .execute();
  const seen = new Map<string, BackupRow>();
  for (const r of rows) if (!seen.has(r.target)) seen.set(r.target, toRow(r));
  return [...seen.values()];
}
