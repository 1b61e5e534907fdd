import fs from 'node:fs/promises';
import path from 'node:path';
import { formatSize } from '../config/units.ts';

/**
 * A folder warden fills itself (logs, backups), shown in disk alerts with its size.
 * @example { label: 'logs', dir: '/srv/app/logs' }
 */
export interface Consumer {
  label: string;
  dir: string;
}

export interface ConsumerSize extends Consumer {
  bytes: number;
}

/** Files visited per folder at most: a disk alert must not wait on a walk of millions of files. */
const maxEntries = 50_000;

/** Bytes in `dir` and below, without following symlinks; 0 when it is missing. */
export async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  let seen = 0;
  const pending = [dir];
  while (pending.length > 0 && seen < maxEntries) {
    const current = pending.pop()!;
    const entries = await fs.readdir(current, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (++seen > maxEntries) break;
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if (entry.isFile()) total += (await fs.lstat(full).catch(() => null))?.size ?? 0;
    }
  }
  return total;
}

/** The consumers on the same filesystem as `diskPath`, largest first. */
export async function consumersOn(diskPath: string, consumers: readonly Consumer[]): Promise<ConsumerSize[]> {
  const device = (await fs.stat(diskPath).catch(() => null))?.dev;
  const sized: ConsumerSize[] = [];
  for (const consumer of consumers) {
    const st = await fs.stat(consumer.dir).catch(() => null);
    if (!st || st.dev !== device) continue;
    sized.push({ ...consumer, bytes: await folderBytes(consumer.dir) });
  }
  return sized.sort((a, b) => b.bytes - a.bytes);
}

/** `logs /srv/app/logs: 3.1GB` per line, for the alert's excerpt. */
export function describeConsumers(sizes: readonly ConsumerSize[]): string | null {
  if (sizes.length === 0) return null;
  return sizes.map((c) => `${c.label} ${c.dir}: ${formatSize(c.bytes)}`).join('\n');
}
