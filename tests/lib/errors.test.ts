import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorCodes, WardenError } from '../../src/lib/errors.ts';

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

describe('error catalogue', () => {
  it('has every code raised somewhere in src (and the TSDoc example names a real code)', () => {
    const catalogue = path.join('src', 'lib', 'errors.ts');
    const text = sources('src')
      .filter((file) => file !== catalogue)
      .map((file) => fs.readFileSync(file, 'utf8'))
      .join('\n');
    const unused = Object.keys(errorCodes).filter((code) => !text.includes(`'${code}'`));
    expect(unused).toEqual([]);
    const example = /@example new WardenError\('(\w+)'/.exec(fs.readFileSync(catalogue, 'utf8'))?.[1];
    expect(Object.keys(errorCodes)).toContain(example);
  });

  it('gives usage errors exit 64 and config errors 78', () => {
    expect(new WardenError('USAGE', 'x').exitCode).toBe(64);
    expect(new WardenError('CONFIG_INVALID', 'x').exitCode).toBe(78);
    expect(new WardenError('STORE_UNAVAILABLE', 'x').exitCode).toBe(1);
  });
});
