import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/schema.ts';
import { formatDuration, formatSize } from '../config/units.ts';
import type { Reading } from '../incidents/types.ts';
import type { Clock } from '../lib/clock.ts';
import { describeError } from '../lib/errors.ts';
import { linkedSignal } from '../lib/linked-signal.ts';
import type { Logger } from '../lib/logger.ts';
import { createScrubber } from '../lib/redact.ts';
import {
  getBackup,
  insertBackup,
  listBackups,
  listRunningBackups,
  updateBackup,
  type BackupRow,
} from '../store/backups.ts';
import type { Store } from '../store/db.ts';
import { BackupError } from './backup-error.ts';
import type { BackupKind, BackupTargetConfig } from './config.ts';
import { parsePgUrl } from './pg-env.ts';
import { pruneBackups, type PruneResult } from './retention.ts';
import { targetKinds } from './targets/index.ts';
import type { BackupTargetKind, Preflight, TargetContext } from './types.ts';
import { chooseBackupPath, ensurePrivateDir, sha256File, writeBackupFile } from './write-backup-file.ts';

/** The tracker as backups see it: level-triggered readings only. */
export interface BackupIncidents {
  observe(key: string, reading: Reading): Promise<unknown>;
}

export interface BackupServiceDeps {
  config: Config;
  store: Store;
  incidents: BackupIncidents;
  clock: Clock;
  log: Logger;
  /** The environment pg_dump, pg_restore and tar run with (PATH) [process.env]. */
  env?: NodeJS.ProcessEnv;
}

export interface BackupOutcome {
  ok: boolean;
  backup: BackupRow;
  /** One line: what was written and verified, or why it failed. */
  detail: string;
}

export interface RunOptions {
  label?: string | null;
  signal?: AbortSignal;
  onProgress?: (bytes: number) => void;
  /** This target's preflight, already under way (`startPreflight`); otherwise run starts it. */
  preflight?: Promise<Preflight>;
}

/** Catalog rows of a safety backup taken before `restore --force` live under `<target>.before-restore`. */
export const safetySuffix = '.before-restore';

const extensionKinds: Array<[string, BackupKind]> = [
  ['.dump', 'postgres'],
  ['.tar.gz', 'files'],
  ['.sqlite', 'warden'],
];

const never = new AbortController().signal;

const contextOf = (
  config: Config,
  env: NodeJS.ProcessEnv,
  name: string,
  target: BackupTargetConfig,
  signal: AbortSignal,
): TargetContext => ({ name, config: target, storeUrl: config.store.url, env, signal });

/**
 * Runs, verifies and restores backups and keeps the catalog. Every failure ends as a failed catalog
 * row and a `backup-failed` reading (or, for restore, a BackupError the CLI prints as one line).
 */
export function createBackupService(deps: BackupServiceDeps) {
  const { config, store, clock } = deps;
  const log = deps.log.child({ part: 'backups' });
  const env = deps.env ?? process.env;
  const scrub = createScrubber(
    Object.values(config.backups.targets).flatMap((t) => (t.postgres ? [parsePgUrl(t.postgres).password] : [])),
  );
  const contextFor = (name: string, target: BackupTargetConfig, signal: AbortSignal): TargetContext =>
    contextOf(config, env, name, target, signal);

  /** A catalog row's target config and kind; safety backups use their base target's settings. */
  const resolve = (row: BackupRow): { name: string; target: BackupTargetConfig; kind: BackupTargetKind } => {
    const name = row.target.endsWith(safetySuffix) ? row.target.slice(0, -safetySuffix.length) : row.target;
    const target = config.backups.targets[name];
    if (!target)
      throw new BackupError(
        `backup #${row.id} belongs to target "${row.target}", which is no longer in backups.targets`,
      );
    const kind = extensionKinds.find(([ext]) => row.file.endsWith(ext))?.[1] ?? target.kind;
    return { name, target, kind: targetKinds[kind] };
  };

  const failureOf = (err: unknown): { detail: string; excerpt: string | null } => ({
    detail: scrub(describeError(err)),
    excerpt: err instanceof BackupError && err.excerpt ? scrub(err.excerpt) : null,
  });

  async function checkFreeSpace(name: string, target: BackupTargetConfig, expectedBytes: number | null): Promise<void> {
    const last = (await listBackups(store, name)).find((b) => b.state === 'good' && b.sizeBytes !== null);
    const basis = last?.sizeBytes ?? expectedBytes ?? 0;
    const needed = Math.max(target.minFreeBytes ?? 0, Math.ceil(1.5 * basis));
    const stats = await fs.statfs(config.backups.dir);
    const free = stats.bavail * stats.bsize;
    if (free < needed) {
      const why = last
        ? `1.5 × the last backup (${formatSize(basis)})`
        : `1.5 × the database size (${formatSize(basis)})`;
      throw new BackupError(
        `backups folder ${config.backups.dir} has ${formatSize(free)} free, needs ${formatSize(needed)} (the larger of minFreeSpace ${formatSize(target.minFreeBytes ?? 0)} and ${why}); free space or lower minFreeSpace`,
      );
    }
  }

  async function refuseIfRunning(name: string): Promise<void> {
    const busy = (await listRunningBackups(store)).find((b) => b.target === name && b.pid !== null && isAlive(b.pid));
    if (busy) throw new BackupError(`a backup of ${name} is already running (#${busy.id}, pid ${busy.pid})`);
  }

  /**
   * The checksum and a read of the whole archive: `list`, or with `restore` a rehearsal into a scratch
   * copy, which reads every entry anyway. Both run side by side; a checksum failure ends the reading
   * and is the one reported.
   */
  async function check(row: BackupRow, restore: boolean, signal: AbortSignal): Promise<string> {
    const { name, target, kind } = resolve(row);
    const stop = new AbortController();
    const reading = linkedSignal([signal, stop.signal]);
    const ctx = contextFor(name, target, reading.signal);
    const fail = (error: BackupError): never => {
      stop.abort(error);
      throw error;
    };
    const checksum = sha256File(row.file).then(
      (sum) => {
        if (sum !== row.sha256)
          fail(new BackupError(`backup #${row.id}: checksum mismatch (${row.file} changed since it was written)`));
      },
      (err: unknown) => fail(new BackupError(`backup #${row.id}: cannot read ${row.file} (${describeError(err)})`)),
    );
    const [hashed, read] = await Promise.allSettled([
      checksum,
      restore ? kind.rehearse(ctx, row.file) : kind.list(ctx, row.file),
    ]);
    reading.dispose();
    if (hashed.status === 'rejected') throw hashed.reason;
    if (read.status === 'rejected') throw read.reason;
    return `sha256 ok, ${read.value}`;
  }

  async function verify(id: number, options: { restore?: boolean; signal?: AbortSignal } = {}): Promise<BackupOutcome> {
    const row = await getBackup(store, id);
    if (!row) throw new BackupError(`no backup #${id}; see warden backup list`);
    if (row.state === 'running') throw new BackupError(`backup #${id} is still being written`);
    if (row.state === 'interrupted' || row.sha256 === null)
      throw new BackupError(`backup #${id} is ${row.state}: there is no complete file to verify`);
    try {
      const restored = options.restore ?? false;
      const detail = await check(row, restored, options.signal ?? never);
      const at = clock.now();
      await updateBackup(store, id, {
        state: 'good',
        verifiedAt: at,
        verifyDetail: detail,
        error: null,
        ...(restored && { restoreVerifiedAt: at }),
      });
      log.info({ target: row.target, id, restored }, restored ? 'backup restore-verified' : 'backup verified');
      if (restored) await checkStale(row.target);
      return { ok: true, backup: (await getBackup(store, id))!, detail };
    } catch (err) {
      if (options.signal?.aborted) throw err;
      const { detail, excerpt } = failureOf(err);
      await updateBackup(store, id, { state: 'failed', verifiedAt: clock.now(), verifyDetail: detail, error: detail });
      log.error({ target: row.target, id, detail }, 'backup verification failed');
      await deps.incidents.observe(`backup-failed:${row.target}`, {
        ok: false,
        detail: `verification of backup #${id} failed: ${detail}`,
        excerpt,
      });
      return { ok: false, backup: (await getBackup(store, id))!, detail };
    }
  }

  async function run(
    name: string,
    options: RunOptions = {},
    target = config.backups.targets[name],
  ): Promise<BackupOutcome> {
    if (!target)
      throw new BackupError(
        `no backup target "${name}" (configured: ${Object.keys(config.backups.targets).join(', ') || 'none'})`,
      );
    await refuseIfRunning(name);
    const signal = options.signal ?? never;
    const kind = targetKinds[target.kind];
    const ctx = contextFor(name, target, signal);
    await ensurePrivateDir(config.backups.dir);
    const startedAt = clock.now();
    const file = await chooseBackupPath(config.backups.dir, name, startedAt, kind.extension);
    const row = await insertBackup(store, {
      target: name,
      file,
      label: options.label ?? null,
      startedAt,
      pid: process.pid,
    });
    const incidentKey = `backup-failed:${name.endsWith(safetySuffix) ? name.slice(0, -safetySuffix.length) : name}`;
    log.info({ target: name, id: row.id, file }, 'backup started');
    // The dump starts beside the preflight (tool versions, server, free space: a second on a busy
    // host); a preflight failure ends the dump, removes its partial file and is the one reported.
    const stop = new AbortController();
    const dumping = linkedSignal([signal, stop.signal]);
    const checked = (async () => {
      const preflight = await (options.preflight ?? kind.preflight(ctx));
      await checkFreeSpace(name, target, preflight.expectedBytes);
      return preflight;
    })();
    checked.catch((err: unknown) => stop.abort(err));
    try {
      const written = await writeBackupFile(
        file,
        async (sink) => {
          const [check, dump] = await Promise.allSettled([
            checked,
            kind.dump(contextFor(name, target, dumping.signal), sink),
          ]);
          if (check.status === 'rejected') throw check.reason;
          if (dump.status === 'rejected') throw dump.reason;
        },
        options.onProgress,
      );
      const preflight = await checked;
      await updateBackup(store, row.id, {
        state: 'unverified',
        sizeBytes: written.sizeBytes,
        sha256: written.sha256,
        serverVersion: preflight.serverVersion,
        finishedAt: clock.now(),
      });
    } catch (err) {
      const { detail, excerpt } = failureOf(err);
      if (signal.aborted) {
        await updateBackup(store, row.id, {
          state: 'interrupted',
          finishedAt: clock.now(),
          error: `interrupted: ${detail}`,
        });
        log.warn({ target: name, id: row.id }, 'backup interrupted by stop');
        return { ok: false, backup: (await getBackup(store, row.id))!, detail: `interrupted: ${detail}` };
      }
      await updateBackup(store, row.id, { state: 'failed', finishedAt: clock.now(), error: detail });
      log.error({ target: name, id: row.id, detail }, 'backup failed');
      await deps.incidents.observe(incidentKey, { ok: false, detail: `${name}: ${detail}`, excerpt });
      return { ok: false, backup: (await getBackup(store, row.id))!, detail };
    } finally {
      dumping.dispose();
    }
    const verified = await verify(row.id, { restore: target.verify === 'restore', signal });
    if (!verified.ok) return verified;
    log.info({ target: name, id: row.id, bytes: verified.backup.sizeBytes }, 'backup good');
    await deps.incidents.observe(incidentKey, { ok: true, detail: `backup #${row.id} is good` });
    if (!name.endsWith(safetySuffix)) {
      await checkStale(name);
      await prune({ target: name });
    }
    return verified;
  }

  /** A restore rehearsal of the newest good backup (the `verifySchedule` job). */
  async function rehearseNewest(name: string, signal?: AbortSignal): Promise<BackupOutcome | null> {
    const newest = (await listBackups(store, name)).find((b) => b.state === 'good');
    if (!newest) {
      log.warn({ target: name }, 'no good backup to rehearse a restore of');
      return null;
    }
    return verify(newest.id, { restore: true, ...(signal && { signal }) });
  }

  /**
   * Restores backup `id` into `to` (a database on the target's server, a folder, or a store file).
   * A non-empty destination is refused unless `force`; then it is backed up first.
   */
  async function restore(
    id: number,
    to: string,
    options: { force?: boolean; signal?: AbortSignal; onProgress?: (bytes: number) => void } = {},
  ): Promise<{ detail: string; safety: BackupOutcome | null }> {
    const row = await getBackup(store, id);
    if (!row) throw new BackupError(`no backup #${id}; see warden backup list`);
    if (row.state !== 'good')
      throw new BackupError(`backup #${id} is ${row.state}, not good; pick a good one from warden backup list`);
    const { name, target, kind } = resolve(row);
    const ctx = contextFor(name, target, options.signal ?? never);
    if ((await sha256File(row.file)) !== row.sha256)
      throw new BackupError(
        `backup #${id}: checksum mismatch (${row.file} changed since it was written); pick another backup`,
      );
    let safety: BackupOutcome | null = null;
    if ((await kind.inspectDestination(ctx, to)) === 'non-empty') {
      if (!options.force)
        throw new BackupError(
          `${to} exists and is not empty; restore into a new name, or add --force (warden backs it up first)`,
        );
      safety = await run(
        `${name}${safetySuffix}`,
        { label: `before restoring #${id} into ${to}`, ...(options.onProgress && { onProgress: options.onProgress }) },
        kind.destinationTarget(ctx, to),
      );
      if (!safety.ok)
        throw new BackupError(`the safety backup of ${to} failed, nothing was restored: ${safety.detail}`);
    }
    log.info({ target: name, id, to }, 'restore started');
    try {
      const detail = await kind.restore(ctx, row.file, to);
      log.info({ target: name, id, to }, 'restore finished');
      return { detail, safety };
    } catch (err) {
      const { detail } = failureOf(err);
      log.error({ target: name, id, to, detail }, 'restore failed');
      throw new BackupError(`restore of #${id} into ${to} failed: ${detail}`, failureOf(err).excerpt);
    }
  }

  /** `backup-stale` as it is now: the newest good backup past maxAge, or the newest rehearsal past maxRestoreAge. */
  async function checkStale(name: string, since = clock.now()): Promise<void> {
    const target = config.backups.targets[name];
    if (!target) return;
    const now = clock.now();
    const rows = await listBackups(store, name);
    const good = rows.filter((b) => b.state === 'good');
    const newest = good[0];
    const rehearsed = Math.max(0, ...rows.map((b) => b.restoreVerifiedAt ?? 0));
    const problems: string[] = [];
    const goodAge = now - (newest?.finishedAt ?? since);
    if (goodAge > target.maxAgeMs)
      problems.push(
        newest
          ? `the newest good backup (#${newest.id}) is ${formatDuration(goodAge)} old (maxAge ${formatDuration(target.maxAgeMs)})`
          : `no good backup for ${formatDuration(goodAge)} (maxAge ${formatDuration(target.maxAgeMs)})`,
      );
    const rehearsalAge = now - (rehearsed || (good.at(-1)?.finishedAt ?? since));
    if (rehearsalAge > target.maxRestoreAgeMs)
      problems.push(
        rehearsed
          ? `the last restore verification was ${formatDuration(rehearsalAge)} ago (maxRestoreAge ${formatDuration(target.maxRestoreAgeMs)})`
          : `no backup has been restore-verified yet (maxRestoreAge ${formatDuration(target.maxRestoreAgeMs)})`,
      );
    await deps.incidents.observe(
      `backup-stale:${name}`,
      problems.length > 0
        ? { ok: false, detail: problems.join('; ') }
        : { ok: true, detail: `newest good backup #${newest?.id ?? '?'} is ${formatDuration(goodAge)} old` },
    );
  }

  /** Marks backups whose writer died as interrupted and removes leftover `.partial` files (reported once). */
  async function recover(): Promise<{ interrupted: number; removed: string[] }> {
    const running = await listRunningBackups(store);
    const live = new Set<string>();
    let interrupted = 0;
    for (const row of running) {
      if (row.pid !== null && (row.pid === process.pid || isAlive(row.pid))) {
        live.add(`${row.file}.partial`);
        continue;
      }
      await updateBackup(store, row.id, {
        state: 'interrupted',
        error: `interrupted: the process writing it (pid ${row.pid ?? '?'}) ended before it finished`,
      });
      await fs.rm(`${row.file}.partial`, { force: true });
      interrupted++;
    }
    const removed: string[] = [];
    const folders = await fs.readdir(config.backups.dir, { withFileTypes: true }).catch(() => []);
    for (const folder of folders.filter((f) => f.isDirectory())) {
      const dir = path.join(config.backups.dir, folder.name);
      for (const entry of await fs.readdir(dir)) {
        const file = path.join(dir, entry);
        if (!entry.endsWith('.partial') || live.has(file)) continue;
        await fs.rm(file, { force: true });
        removed.push(file);
      }
    }
    if (interrupted > 0 || removed.length > 0)
      log.warn({ interrupted, removed }, 'interrupted backups found at start; their partial files were removed');
    return { interrupted, removed };
  }

  const prune = (options: { dryRun?: boolean; target?: string } = {}): Promise<PruneResult> =>
    pruneBackups({ store, backups: config.backups, timezone: config.timezone, log }, options);

  return { run, verify, rehearseNewest, restore, checkStale, recover, prune };
}

export type BackupService = ReturnType<typeof createBackupService>;

/**
 * Starts target `name`'s preflight before the store is open, for `run`'s `preflight` option: the
 * version probes and the server query run in other processes while the CLI loads and opens the
 * store. Marked handled here; `run` still reports its failure. Undefined for an unknown target.
 */
export function startPreflight(config: Config, name: string, env: NodeJS.ProcessEnv): Promise<Preflight> | undefined {
  const target = config.backups.targets[name];
  if (!target) return undefined;
  const started = targetKinds[target.kind].preflight(contextOf(config, env, name, target, never));
  started.catch(() => undefined);
  return started;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
