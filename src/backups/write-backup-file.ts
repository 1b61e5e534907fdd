import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DumpSink } from './types.ts';

export const partialSuffix = '.partial';

export interface WrittenFile {
  file: string;
  sizeBytes: number;
  sha256: string;
}

/** `2026-11-28T03:00:00.000Z` → `20261128T030000Z`. */
export const utcStamp = (at: number): string =>
  new Date(at)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/** A folder only warden's user can read: backups hold whole databases. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  await fs.chmod(dir, 0o700);
}

/** `<dir>/<target>/<target>-<stamp><ext>`, with `-2`, `-3`… when two backups share a second. */
export async function chooseBackupPath(dir: string, target: string, at: number, extension: string): Promise<string> {
  const folder = path.join(dir, target);
  await ensurePrivateDir(folder);
  for (let n = 1; ; n++) {
    const file = path.join(folder, `${target}-${utcStamp(at)}${n > 1 ? `-${n}` : ''}${extension}`);
    const taken = await Promise.all([exists(file), exists(file + partialSuffix)]);
    if (!taken.includes(true)) return file;
  }
}

/**
 * Writes a backup so that only a complete one ever carries its final name: `produce` fills
 * `file.partial` (0600), which is hashed, fsynced, renamed, and the folder fsynced. On any failure
 * the `.partial` is removed.
 */
export async function writeBackupFile(
  file: string,
  produce: (sink: DumpSink) => Promise<void>,
  onProgress?: (bytes: number) => void,
): Promise<WrittenFile> {
  const partial = file + partialSuffix;
  let streamed: { hash: ReturnType<typeof createHash>; bytes: number } | null = null;
  const sink: DumpSink = {
    path: partial,
    stream: () => {
      const state = { hash: createHash('sha256'), bytes: 0 };
      streamed = state;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          state.hash.update(chunk);
          state.bytes += chunk.length;
          onProgress?.(state.bytes);
          done(null, chunk);
        },
      });
      const out = createWriteStream(partial, { mode: 0o600, flags: 'w' });
      // The caller pipes into `counter`; errors of the file stream must reach it too.
      pipeline(counter, out).catch((err: unknown) => counter.destroy(err as Error));
      const finished = new Promise<void>((resolve, reject) => {
        out.once('close', resolve);
        out.once('error', reject);
      });
      finished.catch(() => undefined);
      fileClosed = finished;
      return counter;
    },
  };
  let fileClosed: Promise<void> = Promise.resolve();
  try {
    await produce(sink);
    await fileClosed;
    const written = streamed as { hash: ReturnType<typeof createHash>; bytes: number } | null;
    const sha256 = written ? written.hash.digest('hex') : await sha256File(partial);
    await fs.chmod(partial, 0o600);
    const handle = await fs.open(partial, 'r+');
    let sizeBytes: number;
    try {
      await handle.sync();
      sizeBytes = (await handle.stat()).size;
    } finally {
      await handle.close();
    }
    await fs.rename(partial, file);
    await syncDir(path.dirname(file));
    return { file, sizeBytes, sha256 };
  } catch (err) {
    await fs.rm(partial, { force: true });
    throw err;
  }
}

/** Read size of `sha256File`; one buffer, reused. */
const hashChunkBytes = 1024 * 1024;

/**
 * Reads through one reused buffer: a read stream allocates a buffer per chunk, and for a large
 * backup those wait for a garbage collection, so the CLI's peak RSS grew with the backup's size.
 */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(hashChunkBytes);
  const handle = await fs.open(file, 'r');
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
