import { execFileSync } from 'node:child_process';
import { tempDir } from './temp-dir.ts';

export type MountedTmpfs = { dir: string; unmount(): void } | { skip: string };

/** A small tmpfs the test owns (mounting needs root), or the reason it cannot have one here. */
export function mountTmpfs(sizeMb: number): MountedTmpfs {
  const dir = tempDir('warden-tmpfs-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    return { skip: `cannot mount a tmpfs here (${(err as Error).message.split('\n')[0]})` };
  }
  // lazily: a process the test killed may still hold a file open for a moment
  return { dir, unmount: () => execFileSync('umount', ['-l', dir]) };
}
