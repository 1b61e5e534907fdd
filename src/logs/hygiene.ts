import fs from 'node:fs/promises';
import path from 'node:path';
import { formatSize } from '../config/units.ts';
import type { Reading } from '../incidents/types.ts';
import type { Clock } from '../lib/clock.ts';
import { describeError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { Part } from '../lib/part.ts';
import { runInBackground } from '../lib/run-in-background.ts';
import { runShell } from '../lib/run-shell.ts';
import { cron } from '../scheduler/cron.ts';
import { every } from '../scheduler/every.ts';
import type { Store } from '../store/db.ts';
import type { Pm2Client } from '../pm2/types.ts';
import { pruneLogMatches } from '../store/log-offsets.ts';
import type { LogsConfig } from './config.ts';
import { findLiveLogs, logRoots, type LogRoot } from './files.ts';
import { createPatternScanner } from './patterns.ts';
import { reopenPm2Log, type Pm2ReopenResult } from './pm2-reopen.ts';
import {
  applyPrune,
  findRotatedLogs,
  openFilesOnHost,
  planEmergencyPrune,
  planPrune,
  type PruneCandidate,
  type PruneResult,
} from './prune.ts';
import { rotateLog, type Rotation } from './rotate.ts';
import { createLogWatch } from './watch.ts';

/**
 * pm2 as log hygiene sees it: where each app writes, and the call that makes pm2 reopen a log
 * warden renamed, putting back what pm2 dropped while doing so.
 * @example await pm2.reopen('/app/.pm2/logs/api-out.log', '/app/.pm2/logs/api-out.log.20261129-031500')
 */
export interface Pm2Logs {
  logFiles(signal?: AbortSignal): Promise<string[]>;
  reopen(file: string, rotated: string): Promise<Pm2ReopenResult>;
}

/** The pm2 client as log hygiene uses it: every app's out and error log, and reloadLogs with what it drops restored. */
export function pm2LogsOf(pm2: Pm2Client): Pm2Logs {
  return {
    logFiles: async (signal) =>
      (await pm2.list(signal)).flatMap((app) => [app.outLogPath, app.errLogPath]).filter((f): f is string => !!f),
    reopen: async (file, rotated) => {
      const writers = (await pm2.list()).flatMap((app) => [
        ...(app.outLogPath === file ? [{ app, stream: 'out' as const }] : []),
        ...(app.errLogPath === file ? [{ app, stream: 'err' as const }] : []),
      ]);
      const [only] = writers;
      if (only && writers.length === 1)
        return reopenPm2Log(
          file,
          rotated,
          { pmId: only.app.pmId, stream: only.stream, cluster: !!only.app.clusterMode },
          pm2,
        );
      await pm2.reloadLogs();
      return { restoredBytes: 0, unrestored: `${writers.length} pm2 streams write this file` };
    },
  };
}

export interface LogIncidents {
  observe(key: string, reading: Reading): Promise<unknown>;
  stateOf(key: string): Promise<unknown>;
}

export interface LogHygieneOptions {
  config: LogsConfig;
  store: Store;
  incidents: LogIncidents;
  /** Null when no service is pm2-managed (then warden never touches pm2) or `logs.pm2` is false. */
  pm2: Pm2Logs | null;
  clock: Clock;
  log: Logger;
  scrub: (text: string) => string;
  timezone?: string;
  /** warden's own log base name (`log.file`): pino-roll rotates those files, so they are left to it. */
  ownLog?: string;
  /** Processes' open files; pruning never deletes one [/proc]. */
  openFiles?: () => Promise<Set<string>>;
}

export interface LogHygiene {
  /** In start order: the watch, the interval loop, the prune schedule. */
  parts: Part[];
  /** Rotates one live log now (rename or copytruncate, then gzip). */
  rotate(file: string): Promise<Rotation>;
  /** `warden logs rotate`: every non-empty live log, pm2's included; each outcome in order. */
  rotateAll(options: {
    dryRun: boolean;
  }): Promise<Array<{ file: string; bytes: number; rotation?: Rotation; error?: string }>>;
  /** What retention lets go; deleted unless `dryRun`. */
  prune(options: { dryRun: boolean }): Promise<PruneResult & { candidates: PruneCandidate[] }>;
  /** For a disk past critical: retention, then older rotated logs on that filesystem until `bytesWanted` is freed. */
  emergencyPrune(bytesWanted: number, dev: number): Promise<PruneResult>;
  /** The folders whose size disk alerts name. */
  folders(): string[];
  /** The live logs watched now. */
  files(): string[];
}

/** Log watch, size and growth checks, rotation, pattern alerts and scheduled pruning, from `logs:`. */
export function createLogHygiene(options: LogHygieneOptions): LogHygiene {
  const { config, store, incidents, pm2, clock } = options;
  const log = options.log.child({ part: 'logs' });
  const openFiles = options.openFiles ?? openFilesOnHost;
  const pm2Files = new Set<string>();
  const scanner = createPatternScanner({
    store,
    patterns: config.patterns,
    incidents,
    clock,
    log,
    scrub: options.scrub,
  });
  const growth = new Map<string, { at: number; size: number; rotated: number }>();

  const own = options.ownLog ? ownLogMatcher(options.ownLog) : () => false;
  const watch = createLogWatch({
    roots: logRoots(config.watch).map((root) => ({ ...root, matches: (file) => root.matches(file) && !own(file) })),
    log,
    onEvent: (file, event, initial) => {
      if (event === 'unlink') return;
      runInBackground(log, 'logs.scan', async () => {
        const { matched } = await scanner.scan(file, { fromStart: event === 'add' && !initial });
        if (matched > 0) await scanner.judge(file);
      });
    },
  });

  const reopenFor = (file: string): ((rotated: string) => Promise<void>) | null => {
    if (pm2Files.has(file) && pm2)
      return async (rotated) => {
        const { restoredBytes, unrestored } = await pm2.reopen(file, rotated);
        if (unrestored)
          log.warn({ file, reason: unrestored }, 'lines pm2 dropped while reopening this log may be missing');
        else if (restoredBytes > 0)
          log.info({ file, restoredBytes }, 'restored output pm2 dropped while reopening this log');
      };
    const command = config.rotate.command;
    if (command === null) return null;
    return async () => {
      const result = await runShell(command, { timeoutMs: 30_000 });
      if (result.exitCode !== 0)
        throw new Error(
          `${command} exited ${result.exitCode ?? result.signal ?? result.error}: ${result.output.trim().slice(-200)}`,
        );
    };
  };

  const rotate = (file: string): Promise<Rotation> =>
    scanner.withFile(file, async (scanNow) => {
      const rotation = await rotateLog(file, {
        mode: config.rotate.mode,
        compress: config.rotate.compress,
        reopen: reopenFor(file),
        beforeCompress: scanNow,
        at: clock.now(),
      });
      const entry = growth.get(file);
      if (entry) entry.rotated += rotation.bytes;
      log.info({ file, to: rotation.rotatedTo, bytes: rotation.bytes, mode: rotation.mode }, 'log rotated');
      return rotation;
    });

  const refreshPm2 = async (signal?: AbortSignal): Promise<void> => {
    if (!pm2) return;
    try {
      const files = (await pm2.logFiles(signal)).filter((f) => !pm2Files.has(f));
      for (const file of files) pm2Files.add(file);
      watch.addFiles(files);
    } catch (err) {
      log.debug({ err: describeError(err) }, 'pm2 log files unknown for now');
    }
  };

  /** Size past maxSize → rotate; `log-size` only when rotation cannot fix it, or the file grows too fast. */
  const checkSize = async (file: string): Promise<void> => {
    const st = await fs.stat(file).catch(() => null);
    if (!st) return;
    const problems: string[] = [];
    let size = st.size;
    if (size > config.maxSizeBytes) {
      try {
        await rotate(file);
        size = (await fs.stat(file).catch(() => null))?.size ?? 0;
        if (size > config.maxSizeBytes)
          problems.push(`${formatSize(size)} after rotation (maxSize ${formatSize(config.maxSizeBytes)})`);
      } catch (err) {
        problems.push(
          `${formatSize(size)} (maxSize ${formatSize(config.maxSizeBytes)}) and rotation failed: ${describeError(err)}`,
        );
      }
    }
    const now = clock.now();
    const last = growth.get(file);
    growth.set(file, { at: now, size, rotated: 0 });
    if (config.growthAlert && last && now > last.at) {
      const grown = size - last.size + last.rotated;
      const perWindow = (grown / (now - last.at)) * config.growthAlert.perMs;
      if (perWindow > config.growthAlert.bytes)
        problems.push(
          `growing ${formatSize(perWindow)} per ${formatRatePeriod(config.growthAlert.perMs)} (growthAlert ${formatSize(config.growthAlert.bytes)})`,
        );
    }
    const key = `log-size:${file}`;
    if (problems.length > 0) await incidents.observe(key, { ok: false, detail: `${file}: ${problems.join('; ')}` });
    else if ((await incidents.stateOf(key)) !== null)
      await incidents.observe(key, { ok: true, detail: `${file}: ${formatSize(size)}` });
  };

  const loop = every({
    name: 'logs',
    intervalMs: config.intervalMs,
    clock,
    log,
    run: async (signal) => {
      await refreshPm2(signal);
      for (const file of watch.files()) {
        if (signal.aborted) return;
        try {
          await checkSize(file);
          await scanner.scan(file);
          await scanner.judge(file);
        } catch (err) {
          log.warn({ file, err: describeError(err) }, 'log check failed');
        }
      }
      const longestWindow = Math.max(0, ...config.patterns.map((p) => p.windowMs));
      await pruneLogMatches(store, clock.now() - longestWindow - 3_600_000);
    },
  });

  const roots = (): LogRoot[] => watch.roots();

  const prune = async ({ dryRun }: { dryRun: boolean }) => {
    await refreshPm2();
    const rotated = await findRotatedLogs(roots(), await openFiles());
    const candidates = planPrune(rotated, config.retain, clock.now());
    const result = dryRun ? { deleted: [], freedBytes: 0, failed: [] } : await applyPrune(candidates);
    if (!dryRun && (result.deleted.length > 0 || result.failed.length > 0))
      log.info(
        { deleted: result.deleted.length, freedBytes: result.freedBytes, failed: result.failed },
        'rotated logs pruned',
      );
    return { ...result, candidates };
  };

  const pruneJob = cron({
    name: 'logs.prune',
    pattern: config.pruneSchedule,
    timezone: options.timezone,
    clock,
    log,
    run: async () => void (await prune({ dryRun: false })),
  });

  return {
    parts: [
      {
        name: 'log-watch',
        // pm2's files join the watch from the start, so their first lines are not mistaken for history
        start: async () => {
          await refreshPm2();
          await watch.start();
        },
        stop: async () => {
          await watch.stop();
          // scans started by the last events finish before another instance may read the same offsets
          await scanner.idle();
        },
      },
      loop,
      pruneJob,
    ],
    rotate,
    rotateAll: async ({ dryRun }) => {
      await refreshPm2();
      const out: Array<{ file: string; bytes: number; rotation?: Rotation; error?: string }> = [];
      for (const file of await findLiveLogs(roots())) {
        const bytes = (await fs.stat(file).catch(() => null))?.size ?? 0;
        if (bytes === 0) continue;
        if (dryRun) out.push({ file, bytes });
        else
          out.push(
            await rotate(file).then(
              (rotation) => ({ file, bytes, rotation }),
              (err: unknown) => ({ file, bytes, error: describeError(err) }),
            ),
          );
      }
      return out;
    },
    prune,
    emergencyPrune: async (bytesWanted, dev) => {
      const rotated = (await findRotatedLogs(roots(), await openFiles())).filter((r) => r.dev === dev);
      return applyPrune(planEmergencyPrune(rotated, config.retain, clock.now(), bytesWanted));
    },
    folders: () => [...new Set(roots().map((r) => r.dir))],
    files: () => watch.files(),
  };
}

function formatRatePeriod(ms: number): string {
  if (ms % 86_400_000 === 0) return ms === 86_400_000 ? 'day' : `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return ms === 3_600_000 ? 'hour' : `${ms / 3_600_000}h`;
  return `${Math.round(ms / 60_000)}m`;
}

/** `logs/warden.log` → matches pino-roll's `logs/warden.3.log`, `warden.2026-11-29.1.log` and `current.log`. */
function ownLogMatcher(base: string): (file: string) => boolean {
  const dir = path.dirname(base);
  const stem = path
    .basename(base)
    .replace(/\.log$/, '')
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const names = new RegExp(`^(${stem}\\.(\\d{4}-\\d{2}-\\d{2}\\.)?\\d+\\.log|current\\.log)$`);
  return (file) => path.dirname(file) === dir && names.test(path.basename(file));
}
