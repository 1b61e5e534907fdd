import fs from 'node:fs/promises';

/**
 * The last `lines` non-empty lines of a text file, reading at most `maxBytes` from its end;
 * '' when the file is missing or unreadable (an excerpt is a nicety, never a failure).
 */
export async function tailFile(file: string, lines = 10, maxBytes = 8192): Promise<string> {
  const text = await readEnd(file, null, maxBytes);
  return text === null ? '' : text.lines.slice(-lines).join('\n');
}

/** Where a file ended at one moment: what is written later lies past `size` in the same file (`ino`). */
export interface FileEnd {
  ino: number;
  size: number;
  mtimeMs: number;
}

/** The file's end now; null when it is missing or unreadable. */
export async function fileEnd(file: string): Promise<FileEnd | null> {
  try {
    const { ino, size, mtimeMs } = await fs.stat(file);
    return { ino, size, mtimeMs };
  } catch {
    return null;
  }
}

/**
 * The non-empty lines written to a file since `since` (its end at an earlier moment), at most
 * `maxBytes` of the newest; a replaced file (another inode) or a truncated one was written entirely
 * since. Older lines left out for room are marked with a first line `…`; '' when nothing is new.
 */
export async function linesSince(file: string, since: FileEnd, maxBytes = 8192): Promise<string> {
  const text = await readEnd(file, since, maxBytes);
  if (text === null) return '';
  return (text.cut ? ['…', ...text.lines] : text.lines).join('\n');
}

async function readEnd(
  file: string,
  since: FileEnd | null,
  maxBytes: number,
): Promise<{ lines: string[]; cut: boolean } | null> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(file, 'r');
    const { size, ino } = await handle.stat();
    const from = since && since.ino === ino && since.size <= size ? since.size : 0;
    const start = Math.max(from, size - maxBytes);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    const text = buffer.toString('utf8').split('\n');
    // the first line may be cut in the middle when the read started inside it
    const cut = start > from;
    if (cut) text.shift();
    return { lines: text.map((l) => l.trimEnd()).filter((l) => l !== ''), cut };
  } catch {
    return null;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
