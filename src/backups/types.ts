import type { Writable } from 'node:stream';
import type { BackupTargetConfig } from './config.ts';

/** What a target kind is given for one operation. */
export interface TargetContext {
  name: string;
  config: BackupTargetConfig;
  /** warden's own store (`sqlite:PATH`), for the `warden` kind. */
  storeUrl: string;
  /** The environment tools run with (PATH); secrets are added per run, never read from here. */
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
}

/** Where a dump goes: a stream into the `.partial` file (hashed as it is written), or the file itself. */
export interface DumpSink {
  /** The `.partial` path, for kinds that can only write a file (SQLite's backup API). */
  path: string;
  /** A fresh writable into `path` that hashes and counts what passes. */
  stream(): Writable;
}

/** Facts gathered before anything is written. */
export interface Preflight {
  /** e.g. `15.20`; null for kinds without a server. */
  serverVersion: string | null;
  /** What the first backup may need (`pg_database_size`); null when unknown. */
  expectedBytes: number | null;
}

/**
 * One backup target kind. Every method throws BackupError with a one-line reason (and the tool's
 * stderr as excerpt) on failure, and returns a short detail for the catalog on success.
 * @example export const files = { extension: '.tar.gz', preflight, dump, list, rehearse, restore } satisfies BackupTargetKind
 */
export interface BackupTargetKind {
  /** File ending after the stamp: `.dump`, `.tar.gz`, `.sqlite`. */
  extension: string;
  preflight(ctx: TargetContext): Promise<Preflight>;
  dump(ctx: TargetContext, sink: DumpSink): Promise<void>;
  /** Reads the archive through without restoring it (`pg_restore --list`). */
  list(ctx: TargetContext, file: string): Promise<string>;
  /** Restores into a scratch place, runs sanity checks, removes it. */
  rehearse(ctx: TargetContext, file: string): Promise<string>;
  /** Whether `to` (a database, folder or file) exists and holds anything. */
  inspectDestination(ctx: TargetContext, to: string): Promise<'missing' | 'empty' | 'non-empty'>;
  /** Restores into `to`, replacing what is there (the caller took a safety backup first). */
  restore(ctx: TargetContext, file: string, to: string): Promise<string>;
  /** The config of a one-off target that backs up `to` itself (the safety backup before `--force`). */
  destinationTarget(ctx: TargetContext, to: string): BackupTargetConfig;
}
