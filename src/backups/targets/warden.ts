import fs from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { BackupError } from '../backup-error.ts';
import type { BackupTargetKind, TargetContext } from '../types.ts';

const storeFile = (ctx: TargetContext): string => {
  if (!ctx.storeUrl.startsWith('sqlite:'))
    throw new BackupError(
      `backups.targets.${ctx.name}: the warden target copies a SQLite store, but store.url is PostgreSQL; back that database up with a postgres target instead`,
    );
  return ctx.storeUrl.slice('sqlite:'.length);
};

/** integrity_check on a copy, plus the tables and incidents it holds. */
function inspectCopy(file: string, full: boolean): string {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new BackupError(`${file}: not a readable SQLite file (${(err as Error).message})`);
  }
  try {
    const check = db.pragma(full ? 'integrity_check' : 'quick_check', { simple: true }) as string;
    if (check !== 'ok') throw new BackupError(`${file}: SQLite ${full ? 'integrity' : 'quick'} check failed: ${check}`);
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
    const hasIncidents = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'incidents'").get() !== undefined;
    const incidents = hasIncidents ? (db.prepare('SELECT count(*) AS n FROM incidents').get() as { n: number }).n : 0;
    return `${tables.n} tables, ${incidents} incidents, ${full ? 'integrity' : 'quick'} check ok`;
  } catch (err) {
    if (err instanceof BackupError) throw err;
    throw new BackupError(`${file}: not a readable SQLite file (${(err as Error).message})`);
  } finally {
    db.close();
  }
}

const wardenKind = {
  extension: '.sqlite',

  preflight: async (ctx) => {
    const stat = await fs.stat(storeFile(ctx));
    return { serverVersion: null, expectedBytes: stat.size };
  },

  // SQLite's online backup API: a consistent copy while the daemon keeps writing.
  dump: async (ctx, sink) => {
    const source = new Database(storeFile(ctx), { readonly: true, fileMustExist: true });
    try {
      await source.backup(sink.path);
    } finally {
      source.close();
    }
    // The copy inherits WAL mode; as a rollback-journal file it is one self-contained file, and
    // opening it read-only later leaves no -wal/-shm beside it.
    const copy = new Database(sink.path, { fileMustExist: true });
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
  },

  list: (_ctx, file) => Promise.resolve(inspectCopy(file, false)),
  rehearse: (_ctx, file) => Promise.resolve(inspectCopy(file, true)),

  inspectDestination: async (_ctx, to) => {
    const stat = await fs.stat(to).catch(() => null);
    return stat === null ? 'missing' : stat.size > 0 ? 'non-empty' : 'empty';
  },

  restore: async (_ctx, file, to) => {
    await fs.copyFile(file, `${to}.partial`);
    await fs.rename(`${to}.partial`, to);
    await fs.rm(`${to}-wal`, { force: true });
    await fs.rm(`${to}-shm`, { force: true });
    return `copied to ${to} (${inspectCopy(to, true)}); start warden again to use it`;
  },

  // The store file being replaced is kept as a plain archive: it may not be this warden's store.
  destinationTarget: (ctx, to) => ({ ...ctx.config, kind: 'files', files: [path.resolve(to)] }),
} satisfies BackupTargetKind;

export { wardenKind as warden };
