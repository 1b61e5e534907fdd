import fs from 'node:fs/promises';

/**
 * The last `lines` non-empty lines of a text file, reading at most `maxBytes` from its end;
 * '' when the file is missing or unreadable (an excerpt is a nicety, never a failure).
 */
export async function tailFile(file: string, lines = 10, maxBytes = 8192): Promise<string> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(file, 'r');
    const { size } = await handle.stat();
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const text = buffer.toString('utf8').split('\n');
    // the first line may be cut in the middle when the read started inside it
    if (length < size) text.shift();
    return text
      .map((l) => l.trimEnd())
      .filter((l) => l !== '')
      .slice(-lines)
      .join('\n');
  } catch {
    return '';
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
