import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BackupError } from '../backup-error.ts';
import { runTool } from '../run-tool.ts';
import type { BackupTargetKind, TargetContext } from '../types.ts';

/** GNU tar exits 1 when a file changed while it was read (a log being written): the archive is still usable. */
const changedWhileRead = [1];

// Members are stored relative to / (tar would strip the slash with a warning anyway).
const members = (ctx: TargetContext): string[] => ctx.config.files!.map((p) => path.relative('/', p));

async function countEntries(file: string, ctx: TargetContext): Promise<number> {
  const { stdout } = await runTool('tar', ['-tzf', file], {
    env: ctx.env,
    signal: ctx.signal,
    timeoutMs: ctx.config.timeoutMs,
  });
  return stdout.split('\n').filter((l) => l !== '').length;
}

async function extract(ctx: TargetContext, file: string, into: string): Promise<void> {
  await runTool('tar', ['-xzf', file, '-C', into, '--no-same-owner'], {
    env: ctx.env,
    signal: ctx.signal,
    timeoutMs: ctx.config.timeoutMs,
  });
}

async function countFiles(dir: string): Promise<number> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).length;
}

const filesKind = {
  extension: '.tar.gz',

  preflight: async (ctx) => {
    for (const p of ctx.config.files!) {
      await fs.access(p).catch((err: NodeJS.ErrnoException) => {
        throw new BackupError(
          `${p}: ${err.code === 'ENOENT' ? 'not found' : err.message}; check backups.targets.${ctx.name}.files`,
        );
      });
    }
    return { serverVersion: null, expectedBytes: null };
  },

  dump: async (ctx, sink) => {
    await runTool('tar', ['-czf', '-', '-C', '/', '--', ...members(ctx)], {
      env: ctx.env,
      signal: ctx.signal,
      timeoutMs: ctx.config.timeoutMs,
      stdout: sink.stream(),
      okCodes: changedWhileRead,
    });
  },

  list: async (ctx, file) => {
    const entries = await countEntries(file, ctx);
    if (entries === 0) throw new BackupError(`tar found no entries in ${file}`);
    return `${entries} archive entries`;
  },

  rehearse: async (ctx, file) => {
    const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'warden-verify-'));
    try {
      await extract(ctx, file, scratch);
      return `extracted ${await countFiles(scratch)} files into a scratch folder`;
    } finally {
      await fs.rm(scratch, { recursive: true, force: true });
    }
  },

  inspectDestination: async (_ctx, to) => {
    const entries = await fs.readdir(to).catch(() => null);
    return entries === null ? 'missing' : entries.length > 0 ? 'non-empty' : 'empty';
  },

  restore: async (ctx, file, to) => {
    await fs.mkdir(to, { recursive: true, mode: 0o700 });
    await extract(ctx, file, to);
    return `extracted ${await countFiles(to)} files into ${to}`;
  },

  destinationTarget: (ctx, to) => ({ ...ctx.config, files: [path.resolve(to)] }),
} satisfies BackupTargetKind;

export { filesKind as files };
