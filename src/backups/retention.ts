import fs from 'node:fs/promises';
import type { Logger } from '../lib/logger.ts';
import { deleteBackup, listBackups, type BackupRow } from '../store/backups.ts';
import type { Store } from '../store/db.ts';
import type { BackupsConfig, BackupTargetConfig } from './config.ts';

export type Keep = BackupTargetConfig['keep'];

/** Why a backup is kept: a GFS slot, or protection that overrides every count. */
export type KeepReason = 'last' | 'daily' | 'weekly' | 'monthly' | 'newest-good' | 'newest-restore-verified';

/** The calendar day, ISO week and month of `at` in `timezone`: the GFS buckets. */
export function calendarKeys(at: number, timezone: string): { day: string; week: string; month: string } {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  })
    .formatToParts(new Date(at))
    .reduce<Record<string, string>>((acc, p) => ({ ...acc, [p.type]: p.value }), {});
  const [y, m, d] = [Number(parts.year), Number(parts.month), Number(parts.day)];
  // ISO week: the week belongs to the year of its Thursday.
  const date = new Date(Date.UTC(y, m - 1, d));
  const weekday = (date.getUTCDay() + 6) % 7;
  date.setUTCDate(date.getUTCDate() - weekday + 3);
  const weekYear = date.getUTCFullYear();
  const week = 1 + Math.floor((date.getTime() - Date.UTC(weekYear, 0, 1)) / 604_800_000);
  return {
    day: `${parts.year}-${parts.month}-${parts.day}`,
    week: `${weekYear}-W${String(week).padStart(2, '0')}`,
    month: `${parts.year}-${parts.month}`,
  };
}

/**
 * Which backups of one target retention keeps: the newest `last` good ones, the newest good one of
 * each of the latest `daily` days, `weekly` ISO weeks and `monthly` months, and always the newest
 * good and the newest restore-verified backup. Failed and interrupted entries older than the oldest
 * kept backup go too; running and unverified ones are never touched.
 */
export function planRetention(
  backups: readonly BackupRow[],
  keep: Keep,
  timezone: string,
): { kept: Map<number, KeepReason[]>; pruned: BackupRow[] } {
  const good = backups.filter((b) => b.state === 'good').toSorted((a, b) => b.startedAt - a.startedAt || b.id - a.id);
  const kept = new Map<number, KeepReason[]>();
  const mark = (b: BackupRow, reason: KeepReason): void => {
    kept.set(b.id, [...(kept.get(b.id) ?? []), reason]);
  };
  good.slice(0, keep.last).forEach((b) => mark(b, 'last'));
  for (const bucket of ['daily', 'weekly', 'monthly'] as const) {
    const key = bucket === 'daily' ? 'day' : bucket === 'weekly' ? 'week' : 'month';
    const seen = new Set<string>();
    for (const b of good) {
      if (seen.size >= keep[bucket]) break;
      const k = calendarKeys(b.startedAt, timezone)[key];
      if (seen.has(k)) continue;
      seen.add(k);
      mark(b, bucket);
    }
  }
  if (good[0]) mark(good[0], 'newest-good');
  const verified = backups
    .filter((b) => b.restoreVerifiedAt !== null && (b.state === 'good' || b.state === 'unverified'))
    .toSorted((a, b) => b.restoreVerifiedAt! - a.restoreVerifiedAt!)[0];
  if (verified) mark(verified, 'newest-restore-verified');

  const oldestKept = Math.min(...backups.filter((b) => kept.has(b.id)).map((b) => b.startedAt));
  const pruned = backups.filter(
    (b) =>
      !kept.has(b.id) &&
      (b.state === 'good' || ((b.state === 'failed' || b.state === 'interrupted') && b.startedAt < oldestKept)),
  );
  return { kept, pruned };
}

export interface PruneResult {
  removed: Array<{ id: number; target: string; file: string; bytes: number }>;
  freedBytes: number;
}

export interface PruneDeps {
  store: Store;
  backups: BackupsConfig;
  timezone: string;
  log: Logger;
}

/**
 * Deletes what retention allows, for every configured target (or one). Also what disk cleanup calls
 * on disk-critical: it frees only backups above `keep`, never the protected ones.
 * @example const { freedBytes } = await pruneBackups(deps, { dryRun: true })
 */
export async function pruneBackups(
  deps: PruneDeps,
  options: { dryRun?: boolean; target?: string } = {},
): Promise<PruneResult> {
  const result: PruneResult = { removed: [], freedBytes: 0 };
  for (const [name, target] of Object.entries(deps.backups.targets)) {
    if (options.target !== undefined && options.target !== name) continue;
    const { pruned } = planRetention(await listBackups(deps.store, name), target.keep, deps.timezone);
    for (const b of pruned) {
      const bytes = b.state === 'good' ? (b.sizeBytes ?? 0) : await fileSize(b.file);
      if (!options.dryRun) {
        await fs.rm(b.file, { force: true });
        await deleteBackup(deps.store, b.id);
        deps.log.info({ target: name, id: b.id, file: b.file, bytes }, 'backup pruned');
      }
      result.removed.push({ id: b.id, target: name, file: b.file, bytes });
      result.freedBytes += bytes;
    }
  }
  return result;
}

async function fileSize(file: string): Promise<number> {
  return (await fs.stat(file).catch(() => null))?.size ?? 0;
}
