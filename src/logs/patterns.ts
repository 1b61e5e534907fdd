import fs from 'node:fs/promises';
import path from 'node:path';
import type { Reading, Severity } from '../incidents/types.ts';
import { severityRank } from '../incidents/types.ts';
import { formatDuration } from '../config/units.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { Store } from '../store/db.ts';
import { advanceLogOffset, readLogOffset, recentLogMatches, type LogMatchBatch } from '../store/log-offsets.ts';
import type { LogPattern } from './config.ts';
import { liveNameOf, logStem, rotationOrder } from './files.ts';

export interface PatternScannerOptions {
  store: Store;
  patterns: readonly LogPattern[];
  incidents: { observe(key: string, reading: Reading): Promise<unknown> };
  clock: Clock;
  log: Logger;
  /** Removes secrets from quoted lines (`createScrubber(secrets)`). */
  scrub: (text: string) => string;
  /** Bytes read per step; memory stays bounded whatever a log's size [1MB]. */
  chunkBytes?: number;
}

/**
 * Counts pattern matches in log files, reading each byte once: the offset and the matches it
 * covered are stored together, so a restart resumes where the last scan stopped. A writer's own
 * rotation (rename, reopen) shows as a new inode: the old file is found by its inode and finished
 * first. A truncation (copytruncate) shows as a size below the offset.
 * @example await scanner.scan('/srv/app/logs/app.log'); await scanner.judge('/srv/app/logs/app.log')
 */
export interface PatternScanner {
  /** Reads what was appended since the last scan; `fromStart` for a file that appeared while watching. */
  scan(file: string, options?: { fromStart?: boolean }): Promise<{ matched: number }>;
  /** Opens, updates or resolves `log-errors:<stem>` from the matches inside each pattern's window. */
  judge(file: string): Promise<void>;
  /** Runs `work` with no scan of `file` in flight (a rotation); `scanNow` scans from inside it. */
  withFile<T>(file: string, work: (scanNow: () => Promise<unknown>) => Promise<T>): Promise<T>;
  /** Resolves once no scan or rotation is in flight (a stopping watch waits for it). */
  idle(): Promise<void>;
}

/** Lines quoted per pattern and scan; the count covers every match. */
const linesKept = 5;
const maxLineChars = 300;

export function createPatternScanner(options: PatternScannerOptions): PatternScanner {
  const { store, clock } = options;
  const log = options.log.child({ part: 'log-patterns' });
  const chunkBytes = options.chunkBytes ?? 1024 * 1024;
  const compiled = options.patterns.map((p) => ({ ...p, regex: new RegExp(p.match) }));
  const queues = new Map<string, Promise<unknown>>();

  const quote = (line: string): string => {
    const chars = Array.from(options.scrub(line));
    // control characters (ANSI colours, NUL) would garble the alert; show them instead
    const text = chars
      .slice(0, maxLineChars)
      .map((c) => {
        const code = c.charCodeAt(0);
        return (code < 32 && c !== '\t') || code === 127 ? `\\x${code.toString(16).padStart(2, '0')}` : c;
      })
      .join('');
    return chars.length > maxLineChars ? `${text}…` : text;
  };

  const matchLines = (lines: readonly string[]): LogMatchBatch[] =>
    compiled.map((p) => {
      let count = 0;
      const kept: string[] = [];
      for (const line of lines) {
        if (!p.regex.test(line)) continue;
        count++;
        kept.push(line);
        if (kept.length > linesKept) kept.shift();
      }
      return { pattern: p.match, count, lines: kept.map(quote) };
    });

  /**
   * Reads `source` from `position` on, committing offset and matches per chunk under `file`'s key.
   * `final` when the writer has moved on: a last line without a newline is complete.
   */
  const readFrom = async (file: string, source: string, ino: string, position: number, final: boolean) => {
    let matched = 0;
    const handle = await fs.open(source, 'r').catch(() => null);
    if (!handle) return { matched, position };
    try {
      const opened = await handle.stat();
      // rotated between the stat and the open: the next scan follows the new inode
      if (String(opened.ino) !== ino) return { matched, position };
      const end = opened.size;
      const buffer = Buffer.alloc(chunkBytes);
      while (position < end) {
        const { bytesRead } = await handle.read(buffer, 0, Math.min(chunkBytes, end - position), position);
        if (bytesRead === 0) break;
        const atEnd = position + bytesRead >= end;
        let usable = buffer.lastIndexOf(10, bytesRead - 1) + 1;
        // the writer has moved on, or one line fills the whole chunk: take what was read
        if ((final && atEnd) || (usable === 0 && bytesRead === chunkBytes)) usable = bytesRead;
        if (usable === 0) break;
        const text = buffer.toString('utf8', 0, usable);
        const lines = text.split('\n');
        if (lines.at(-1) === '') lines.pop();
        const batches = matchLines(lines);
        position += usable;
        matched += batches.reduce((sum, b) => sum + b.count, 0);
        await advanceLogOffset(store, file, { ino, position }, batches, clock.now());
      }
    } finally {
      await handle.close();
    }
    return { matched, position };
  };

  /** Files the writer rotated `file` into: uncompressed siblings named after it, with their stats. */
  const rotatedSiblings = async (file: string) => {
    const dir = path.dirname(file);
    const live = path.basename(file);
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    const out: Array<{ path: string; ino: string; order: number }> = [];
    for (const name of names) {
      if (name.endsWith('.gz') || liveNameOf(name) !== live) continue;
      const st = await fs.lstat(path.join(dir, name)).catch(() => null);
      if (st?.isFile()) out.push({ path: path.join(dir, name), ino: String(st.ino), order: rotationOrder(name) });
    }
    return out;
  };

  /**
   * The live file and its rotated siblings as one consistent picture: listed, stat'ed, listed again
   * until nothing moved in between (a writer may rotate while we look).
   */
  const snapshot = async (file: string) => {
    let siblings = await rotatedSiblings(file);
    for (let attempt = 0; ; attempt++) {
      const st = await fs.stat(file).catch(() => null);
      const again = await rotatedSiblings(file);
      const same = again.length === siblings.length && again.every((s, i) => s.ino === siblings[i]!.ino);
      if ((same && !again.some((s) => s.ino === String(st?.ino))) || attempt >= 5) return { st, siblings: again };
      siblings = again;
    }
  };

  const scanOnce = async (file: string, fromStart: boolean): Promise<{ matched: number }> => {
    const stored = await readLogOffset(store, file);
    if (!stored) {
      const st = await fs.stat(file).catch(() => null);
      if (!st) return { matched: 0 };
      // a log that existed before warden first watched it: its history is not news
      const start = fromStart ? 0 : st.size;
      await advanceLogOffset(store, file, { ino: String(st.ino), position: start }, [], clock.now());
      if (start === st.size) return { matched: 0 };
      return readFrom(file, file, String(st.ino), start, false);
    }
    let st = await fs.stat(file).catch(() => null);
    if (st && String(st.ino) === stored.ino) {
      const position = st.size < stored.position ? 0 : stored.position;
      return readFrom(file, file, stored.ino, position, false);
    }
    let matched = 0;
    const view = await snapshot(file);
    st = view.st;
    const ino = st ? String(st.ino) : null;
    const old = view.siblings.find((s) => s.ino === stored.ino);
    if (old) {
      matched += (await readFrom(file, old.path, stored.ino, stored.position, true)).matched;
      // rotated more than once since the last scan: the files in between were never current when
      // a scan ran, so never read. Names order them (mtimes are too coarse to).
      const between = view.siblings.filter((s) => s.order > old.order).sort((a, b) => a.order - b.order);
      for (const next of between) matched += (await readFrom(file, next.path, next.ino, 0, true)).matched;
    } else if (ino !== stored.ino) {
      log.warn({ file }, 'log rotated away before it was read to the end; its last lines were not scanned');
    }
    if (!st || ino === stored.ino) return { matched };
    await advanceLogOffset(store, file, { ino: ino!, position: 0 }, [], clock.now());
    matched += (await readFrom(file, file, ino!, 0, false)).matched;
    return { matched };
  };

  const judge = async (file: string): Promise<void> => {
    if (compiled.length === 0) return;
    const now = clock.now();
    const problems: Array<{ severity: Severity; detail: string; lines: string[] }> = [];
    for (const p of compiled) {
      const recent = await recentLogMatches(store, file, p.match, now - p.windowMs);
      if (recent.count >= p.threshold)
        problems.push({
          severity: p.severity,
          detail: `${recent.count} line${recent.count === 1 ? '' : 's'} matched /${p.match}/ in ${formatDuration(p.windowMs)} (threshold ${p.threshold})`,
          lines: recent.lines,
        });
    }
    const key = `log-errors:${logStem(file)}`;
    if (problems.length === 0) {
      await options.incidents.observe(key, { ok: true, detail: `no pattern over its threshold in ${file}` });
      return;
    }
    const severity = problems.reduce<Severity>(
      (worst, p) => (severityRank[p.severity] > severityRank[worst] ? p.severity : worst),
      'info',
    );
    await options.incidents.observe(key, {
      ok: false,
      severity,
      detail: `${file}: ${problems.map((p) => p.detail).join('; ')}`,
      excerpt: problems
        .flatMap((p) => p.lines)
        .slice(-10)
        .join('\n'),
    });
  };

  const withFile = <T>(file: string, work: () => Promise<T>): Promise<T> => {
    const next = (queues.get(file) ?? Promise.resolve()).then(work);
    queues.set(
      file,
      next.catch(() => undefined),
    );
    return next;
  };
  const scanLater = new Map<string, Promise<{ matched: number }>>();

  return {
    scan: (file, scanOptions) => {
      if (compiled.length === 0) return Promise.resolve({ matched: 0 });
      // a burst of change events coalesces into one scan waiting behind the running one
      const waiting = scanLater.get(file);
      if (waiting) return waiting;
      const next = withFile(file, () => {
        scanLater.delete(file);
        return scanOnce(file, scanOptions?.fromStart ?? false);
      });
      scanLater.set(file, next);
      return next;
    },
    judge,
    idle: async () => {
      while ([...queues.values()].length > 0) {
        const pending = [...queues.values()];
        await Promise.all(pending);
        if ([...queues.values()].every((q, i) => q === pending[i]) && queues.size === pending.length) return;
      }
    },
    withFile: (file, work) =>
      withFile(file, () => work(() => (compiled.length === 0 ? Promise.resolve() : scanOnce(file, false)))),
  };
}
