import fs from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';

/**
 * One configured folder of logs: chokidar watches `dir` (it does not expand globs), and `matches`
 * tells a live log in it from everything else.
 * @example { dir: '/srv/app/logs', recursive: false, matches: (file) => file.endsWith('.log') }
 */
export interface LogRoot {
  dir: string;
  recursive: boolean;
  matches(file: string): boolean;
}

/** Splits each watch pattern into the folder to watch and a matcher; a plain file path is its own pattern. */
export function logRoots(patterns: readonly string[]): LogRoot[] {
  return patterns.map((pattern) => {
    const scan = picomatch.scan(pattern);
    if (!scan.isGlob) return { dir: path.dirname(pattern), recursive: false, matches: (file) => file === pattern };
    const matcher = picomatch(pattern, { dot: true });
    return { dir: scan.base || '.', recursive: scan.glob.includes('**') || scan.glob.includes('/'), matches: matcher };
  });
}

// app.log.1, app.log.1.gz (writers' own rotation), app.log.20261129-031500.gz (warden's rename),
// app.log-20261129 (logrotate's dateext). The base must end in .log so nothing else is ever taken.
const rotatedName = /^(.+\.log)[.-](\d{1,5}|\d{8}(?:-\d{6})?(?:-\d+)?)(\.gz)?$/;

/** `app.log.3.gz` → `app.log` (the live log it came from); null for anything not a rotated log. */
export function liveNameOf(rotated: string): string | null {
  return rotatedName.exec(rotated)?.[1] ?? null;
}

/**
 * Where a rotated name sits in its log's history, larger is newer: `.1` is newer than `.2`
 * (numbered), a later stamp newer than an earlier one.
 */
export function rotationOrder(rotated: string): number {
  const suffix = rotatedName.exec(rotated)?.[2];
  if (suffix === undefined) return Number.NEGATIVE_INFINITY;
  if (/^\d{1,5}$/.test(suffix)) return -Number(suffix);
  const [date = '0', time = '000000', n = '0'] = suffix.split('-');
  return Number(`${date}${time.padEnd(6, '0')}`) * 1000 + Number(n);
}

/** `app.log` rotated at `at` → `app.log.20261129-031500` (UTC), made unique with `-N` when taken. */
export async function rotatedPathFor(file: string, at: number): Promise<string> {
  const stamp = new Date(at).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  for (let n = 0; ; n++) {
    const candidate = `${file}.${stamp}${n === 0 ? '' : `-${n}`}`;
    const taken = await Promise.all(
      [candidate, `${candidate}.gz`].map((p) =>
        fs.lstat(p).then(
          () => true,
          () => false,
        ),
      ),
    );
    if (!taken.includes(true)) return candidate;
  }
}

/** Whether `file` lies inside `root` once both are resolved (a `..` or absolute escape is outside). */
export function isInside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** `logs/app.log` → `app`: the subject of `log-errors:app`. */
export function logStem(file: string): string {
  return path.basename(file).replace(/\.log$/, '');
}

/** The live logs the roots hold now, found by listing (the CLI does not start a watch). */
export async function findLiveLogs(roots: readonly LogRoot[]): Promise<string[]> {
  const found = new Set<string>();
  for (const root of roots) {
    const pending = [root.dir];
    while (pending.length > 0) {
      const dir = pending.pop()!;
      for (const entry of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory() && root.recursive) pending.push(full);
        else if (entry.isFile() && root.matches(full)) found.add(full);
      }
    }
  }
  return [...found].sort();
}
