import fs from 'node:fs/promises';
import path from 'node:path';
import type { LogsConfig } from './config.ts';
import { isInside, liveNameOf, type LogRoot } from './files.ts';

/**
 * A rotated log that retention lets go, and why.
 * @example { file: '/srv/app/logs/app.log.3.gz', bytes: 1048576, mtimeMs: 1764300725000, reason: 'count' }
 */
export interface PruneCandidate {
  file: string;
  bytes: number;
  mtimeMs: number;
  reason: 'count' | 'age' | 'total' | 'disk';
}

export interface RotatedLog {
  file: string;
  /** The live log it was rotated from. */
  live: string;
  bytes: number;
  mtimeMs: number;
  /** The filesystem it is on: freeing it helps only that disk. */
  dev: number;
}

/**
 * Every rotated log under the roots: a regular file (never a symlink, never in a symlinked folder)
 * named `<live>.N`, `<live>.<stamp>`, optionally `.gz`, whose live log the root watches, and which no
 * process holds open. Folders are compared by their real path, so nothing outside a root is listed.
 */
export async function findRotatedLogs(
  roots: readonly LogRoot[],
  openFiles: ReadonlySet<string>,
): Promise<RotatedLog[]> {
  const found = new Map<string, RotatedLog>();
  for (const root of roots) {
    const realRoot = await fs.realpath(root.dir).catch(() => null);
    if (realRoot === null) continue;
    const pending = [root.dir];
    while (pending.length > 0) {
      const dir = pending.pop()!;
      const realDir = await fs.realpath(dir).catch(() => null);
      if (realDir === null || (realDir !== realRoot && !isInside(realRoot, realDir))) continue;
      const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
      const files: Array<{ full: string; real: string; live: string }> = [];
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        // Dirent types come from lstat: a symlink is neither a file nor a folder here
        if (entry.isDirectory() && root.recursive) pending.push(full);
        if (!entry.isFile()) continue;
        const live = liveNameOf(entry.name);
        if (live === null || !root.matches(path.join(dir, live))) continue;
        const real = path.join(realDir, entry.name);
        if (!openFiles.has(real) && !found.has(real)) files.push({ full, real, live: path.join(realDir, live) });
      }
      await inBatches(files, async (f) => {
        const st = await fs.lstat(f.full).catch(() => null);
        if (st?.isFile())
          found.set(f.real, { file: f.real, live: f.live, bytes: st.size, mtimeMs: st.mtimeMs, dev: st.dev });
      });
    }
  }
  return [...found.values()];
}

/** What `logs.retain` lets go: past `count` per log (newest kept), older than `maxAge`, then oldest first past `maxTotal`. */
export function planPrune(rotated: readonly RotatedLog[], retain: LogsConfig['retain'], now: number): PruneCandidate[] {
  const out: PruneCandidate[] = [];
  const kept: RotatedLog[] = [];
  const byLive = groupByLive(rotated);
  for (const group of byLive.values()) {
    group.sort((a, b) => b.mtimeMs - a.mtimeMs);
    group.forEach((r, i) => {
      if (i >= retain.count) out.push({ ...pick(r), reason: 'count' });
      else if (now - r.mtimeMs > retain.maxAgeMs) out.push({ ...pick(r), reason: 'age' });
      else kept.push(r);
    });
  }
  if (retain.maxTotalBytes !== null) {
    let total = kept.reduce((sum, r) => sum + r.bytes, 0);
    for (const r of kept.sort((a, b) => a.mtimeMs - b.mtimeMs)) {
      if (total <= retain.maxTotalBytes) break;
      out.push({ ...pick(r), reason: 'total' });
      total -= r.bytes;
    }
  }
  return out.sort((a, b) => a.mtimeMs - b.mtimeMs);
}

/**
 * For a disk past critical: beyond what retention lets go, the older rotated logs oldest first,
 * keeping each log's newest rotated file, until `bytesWanted` would be freed.
 */
export function planEmergencyPrune(
  rotated: readonly RotatedLog[],
  retain: LogsConfig['retain'],
  now: number,
  bytesWanted: number,
): PruneCandidate[] {
  const planned = planPrune(rotated, retain, now);
  const taken = new Set(planned.map((c) => c.file));
  let freed = planned.reduce((sum, c) => sum + c.bytes, 0);
  const newest = new Set(
    [...groupByLive(rotated).values()].map((g) => g.reduce((a, b) => (b.mtimeMs > a.mtimeMs ? b : a)).file),
  );
  const extra = rotated.filter((r) => !taken.has(r.file) && !newest.has(r.file)).sort((a, b) => a.mtimeMs - b.mtimeMs);
  for (const r of extra) {
    if (freed >= bytesWanted) break;
    planned.push({ ...pick(r), reason: 'disk' });
    freed += r.bytes;
  }
  return planned;
}

export interface PruneResult {
  deleted: PruneCandidate[];
  freedBytes: number;
  failed: Array<{ file: string; error: string }>;
}

/** Deletes the candidates, checking each is still a regular file (not swapped for a symlink) just before. */
export async function applyPrune(candidates: readonly PruneCandidate[]): Promise<PruneResult> {
  const result: PruneResult = { deleted: [], freedBytes: 0, failed: [] };
  await inBatches(candidates, async (candidate) => {
    try {
      const st = await fs.lstat(candidate.file);
      if (!st.isFile()) return;
      await fs.unlink(candidate.file);
      result.deleted.push(candidate);
      result.freedBytes += st.size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        result.failed.push({ file: candidate.file, error: (err as Error).message });
    }
  });
  result.deleted.sort((a, b) => a.mtimeMs - b.mtimeMs);
  return result;
}

/**
 * Files some process holds open, from /proc/<pid>/fd (the processes this user may inspect). A
 * writer-rotated `.1` a process still writes to is never pruned.
 */
export async function openFilesOnHost(): Promise<Set<string>> {
  const open = new Set<string>();
  const pids = (await fs.readdir('/proc').catch(() => [] as string[])).filter((name) => /^\d+$/.test(name));
  for (const pid of pids) {
    const fds = await fs.readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const target = await fs.readlink(`/proc/${pid}/fd/${fd}`).catch(() => null);
      if (target?.startsWith('/')) open.add(target);
    }
  }
  return open;
}

function pick(r: RotatedLog): Omit<PruneCandidate, 'reason'> {
  return { file: r.file, bytes: r.bytes, mtimeMs: r.mtimeMs };
}

function groupByLive(rotated: readonly RotatedLog[]): Map<string, RotatedLog[]> {
  const groups = new Map<string, RotatedLog[]>();
  for (const r of rotated) {
    const group = groups.get(r.live);
    if (group) group.push(r);
    else groups.set(r.live, [r]);
  }
  return groups;
}

/** File system calls a few dozen at a time: one by one, 10,000 rotated files took seconds. */
async function inBatches<T>(items: readonly T[], work: (item: T) => Promise<void>, size = 32): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}
