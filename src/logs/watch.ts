import type { FSWatcher } from 'chokidar';
import fs, { type Stats } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../lib/logger.ts';
import type { Part } from '../lib/part.ts';
import type { LogRoot } from './files.ts';

export type LogEvent = 'add' | 'change' | 'unlink';

export interface LogWatchOptions {
  roots: readonly LogRoot[];
  log: Logger;
  /** `initial` is true for files found before the watch was ready. */
  onEvent(file: string, event: LogEvent, initial: boolean, stats: Stats | undefined): void;
}

/**
 * chokidar 5 on the folders of the watch patterns (it no longer expands globs) plus single files
 * (pm2's app logs); names are matched here. A rename rotation arrives as `change` with a new inode.
 * @example const watch = createLogWatch({ roots, log, onEvent }); await watch.start(); watch.files()
 */
export interface LogWatch extends Part {
  /** The live logs seen so far, sorted. */
  files(): string[];
  /** Watches more single files (pm2 apps started later). */
  addFiles(files: readonly string[]): void;
  /** The configured roots and the single files added since. */
  roots(): LogRoot[];
}

export function createLogWatch(options: LogWatchOptions): LogWatch {
  const log = options.log.child({ part: 'log-watch' });
  const roots = [...options.roots];
  const live = new Set<string>();
  // a symlink (pino-roll's current.log) is never a log to rotate: renaming it would move the link
  const links = new Set<string>();
  let watcher: FSWatcher | null = null;
  let ready = false;
  let stopping: Promise<void> | undefined;

  const isLive = (file: string): boolean => roots.some((root) => root.matches(file));

  const handle = (event: LogEvent) => (file: string, stats?: Stats) => {
    if (!isLive(file)) return;
    if (event === 'add' && isSymlink(file)) links.add(file);
    if (links.has(file)) {
      if (event === 'unlink') links.delete(file);
      return;
    }
    if (event === 'unlink') live.delete(file);
    else live.add(file);
    options.onEvent(file, event, !ready, stats);
  };

  return {
    name: 'log-watch',
    files: () => [...live].sort(),
    roots: () => [...roots],
    addFiles: (files) => {
      const fresh = files.filter((f) => !roots.some((r) => r.matches(f)));
      for (const file of fresh) roots.push({ dir: path.dirname(file), recursive: false, matches: (p) => p === file });
      if (fresh.length > 0) watcher?.add(fresh);
    },
    start: async () => {
      const { watch } = await import('chokidar');
      const recursive = roots.some((r) => r.recursive);
      watcher = watch(
        roots.map((r) => r.dir),
        {
          // folders are walked for matches; files that match no pattern are not watched at all
          ignored: (file, stats) => !!stats?.isFile() && !isLive(file),
          ...(recursive ? {} : { depth: 0 }),
          ignoreInitial: false,
        },
      );
      watcher.on('add', handle('add'));
      watcher.on('change', handle('change'));
      watcher.on('unlink', handle('unlink'));
      watcher.on('error', (err) => log.warn({ err }, 'log watch error'));
      await new Promise<void>((resolve) => watcher!.once('ready', resolve));
      ready = true;
      log.info({ folders: roots.map((r) => r.dir), files: live.size }, 'watching logs');
    },
    stop: () => (stopping ??= watcher ? watcher.close() : Promise.resolve()),
  };
}

function isSymlink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}
