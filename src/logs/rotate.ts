import { once } from 'node:events';
import fs from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { describeError, WardenError } from '../lib/errors.ts';
import { rotatedPathFor } from './files.ts';

/**
 * How one log is rotated. `rename` moves the file aside and has the writer reopen it (no line is
 * lost: until it reopens, the writer keeps appending to the renamed file). `copytruncate` copies and
 * truncates in place for writers that cannot reopen; lines written between the last read and the
 * truncation are lost (docs/operations.md gives the measured window).
 * @example { mode: 'rename', compress: true, reopen: (rotated) => pm2.reopen(file, rotated) }
 */
export interface RotateOptions {
  mode: 'rename' | 'copytruncate';
  compress: boolean;
  /** Has the writer reopen its log after a rename; null when nothing can, which falls back to copytruncate. */
  reopen: ((rotated: string) => Promise<void>) | null;
  /** Runs once the writer has moved on, before the rotated file is compressed (pattern scanning finishes it). */
  beforeCompress?: () => Promise<unknown>;
  at: number;
}

export interface Rotation {
  file: string;
  /** The rotated file as it stays on disk (`….gz` when compressed). */
  rotatedTo: string;
  /** Bytes moved out of the live log. */
  bytes: number;
  mode: 'rename' | 'copytruncate';
}

/** Level 1: logs still shrink ~8×, at several times the speed of level 6 (bench/log-rotate.ts). */
const gzipLevel = 1;
const chunkBytes = 256 * 1024;

export async function rotateLog(file: string, options: RotateOptions): Promise<Rotation> {
  const target = await rotatedPathFor(file, options.at);
  const mode = options.mode === 'rename' && options.reopen ? 'rename' : 'copytruncate';
  if (mode === 'rename') {
    await fs.rename(file, target);
    try {
      await options.reopen!(target);
    } catch (err) {
      // the writer still appends to the renamed file: put it back rather than compress a live log
      await fs.rename(target, file).catch(() => undefined);
      throw new WardenError('LOG_REOPEN_FAILED', `${file}: the writer did not reopen its log (${describeError(err)})`, {
        cause: err,
      });
    }
    const bytes = await settledSize(target);
    await options.beforeCompress?.();
    const rotatedTo = options.compress ? await gzipFile(target) : target;
    return { file, rotatedTo, bytes, mode };
  }
  const out = options.compress ? `${target}.gz` : target;
  await options.beforeCompress?.();
  const bytes = await copyThenTruncate(file, out, options.compress);
  return { file, rotatedTo: out, bytes, mode };
}

/**
 * Waits until the renamed file stops growing: a writer that reopened may still flush what it had
 * buffered into the old file. Returns its final size.
 */
export async function settledSize(file: string): Promise<number> {
  let size = (await fs.stat(file)).size;
  for (let i = 0; i < 50; i++) {
    await delay(100);
    const next = (await fs.stat(file)).size;
    if (next === size) return size;
    size = next;
  }
  return size;
}

/** `file` → `file.gz` through a `.partial` (fsynced, then renamed), then the original is removed. */
export async function gzipFile(file: string): Promise<string> {
  const out = `${file}.gz`;
  const partial = `${out}.partial`;
  try {
    await pipeline(createReadStream(file), createGzip({ level: gzipLevel }), createWriteStream(partial));
    await fsyncFile(partial);
    await fs.rename(partial, out);
  } catch (err) {
    await fs.rm(partial, { force: true });
    throw err;
  }
  await fs.rm(file);
  return out;
}

/**
 * Copies `file` into `out` up to its current end, then truncates it at once: the window in which an
 * appended line is lost is the time between the last read that found nothing more and the truncate.
 */
async function copyThenTruncate(file: string, out: string, compress: boolean): Promise<number> {
  const partial = `${out}.partial`;
  const source = await fs.open(file, 'r+');
  const sink = createWriteStream(partial);
  const gzip = compress ? createGzip({ level: gzipLevel }) : null;
  const writer = gzip ?? sink;
  const piped = gzip ? pipeline(gzip, sink) : null;
  let copied = 0;
  try {
    const buffer = Buffer.alloc(chunkBytes);
    for (;;) {
      const { bytesRead } = await source.read(buffer, 0, chunkBytes, copied);
      if (bytesRead === 0) break;
      copied += bytesRead;
      if (!writer.write(Buffer.from(buffer.subarray(0, bytesRead)))) await once(writer, 'drain');
    }
    await source.truncate(0);
  } catch (err) {
    writer.destroy();
    await piped?.catch(() => undefined);
    await fs.rm(partial, { force: true });
    throw err;
  } finally {
    await source.close();
  }
  writer.end();
  await (piped ?? once(sink, 'finish'));
  await fsyncFile(partial);
  await fs.rename(partial, out);
  return copied;
}

async function fsyncFile(file: string): Promise<void> {
  const handle = await fs.open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
