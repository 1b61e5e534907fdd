import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileEnd, linesSince, tailFile } from '../../src/lib/tail-file.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('tail file', () => {
  it('gives the last non-empty lines, dropping a line the read started inside', async () => {
    const file = path.join(tempDir(), 'app.log');
    fs.writeFileSync(file, `${'a'.repeat(100)}\nb\n\nc\n`);
    expect(await tailFile(file, 2)).toBe('b\nc');
    expect(await tailFile(file, 10, 6)).toBe('b\nc');
    expect(await tailFile(path.join(tempDir(), 'missing.log'))).toBe('');
  });

  it('gives only the lines written since a remembered end', async () => {
    const file = path.join(tempDir(), 'app-error.log');
    fs.writeFileSync(file, 'fixed an hour ago: ENOENT config.json\n');
    const end = (await fileEnd(file))!;
    expect(await linesSince(file, end)).toBe('');
    fs.appendFileSync(file, 'ECONNRESET upstream\n');
    expect(await linesSince(file, end)).toBe('ECONNRESET upstream');
  });

  it('marks older new lines left out for room with …', async () => {
    const file = path.join(tempDir(), 'app-error.log');
    fs.writeFileSync(file, 'old\n');
    const end = (await fileEnd(file))!;
    fs.appendFileSync(file, Array.from({ length: 100 }, (_, i) => `new ${i}`).join('\n') + '\n');
    const lines = (await linesSince(file, end, 40)).split('\n');
    expect(lines[0]).toBe('…');
    expect(lines.at(-1)).toBe('new 99');
    expect(lines).not.toContain('old');
  });

  it('reads a rotated or truncated log from its start', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'app-error.log');
    fs.writeFileSync(file, 'before rotation, a long line of history\n');
    const end = (await fileEnd(file))!;
    fs.renameSync(file, `${file}.1`);
    fs.writeFileSync(file, 'after rotation\n');
    expect(await linesSince(file, end)).toBe('after rotation');
    fs.writeFileSync(`${file}.1`, 'short\n');
    expect(await linesSince(`${file}.1`, end)).toBe('short');
  });
});
