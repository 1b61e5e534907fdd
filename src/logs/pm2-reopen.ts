import fs from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { describeError } from '../lib/errors.ts';
import type { Pm2Output } from '../pm2/types.ts';
import { settledSize } from './rotate.ts';

/** Which of a pm2 app's streams writes a log file. */
export interface Pm2LogSource {
  pmId: number;
  stream: 'out' | 'err';
  /** In cluster mode the app's worker writes its own logs and swaps them when pm2 tells it to. */
  cluster: boolean;
}

export interface Pm2ReopenOptions {
  reloadLogs(): Promise<void>;
  onOutput(listener: (output: Pm2Output) => void): () => void;
}

/** What pm2 dropped and warden put back; `unrestored` says why nothing could be checked. */
export interface Pm2ReopenResult {
  restoredBytes: number;
  unrestored: string | null;
}

/** How much of a file's end or start is compared with what the bus relayed. */
const compareBytes = 256 * 1024;
/** Output kept while a reload runs; a writer faster than this per reload loses restorability, not lines already written. */
const keptBytes = 32 * 1024 * 1024;
const waitMs = 5000;
const pollMs = 20;
/** An app silent this long after warden starts listening has nothing queued in pm2. */
const quietMs = 250;

/**
 * Has pm2 reopen `source`'s log after warden renamed it to `rotated`, and restores what pm2 drops.
 * pm2 (7.0.4, lib/God/ForkMode.js `_reloadLogs`) calls destroy() on each app's write stream, which
 * discards the writes it has not finished; an app printing fast loses them at a reload. pm2 relays each chunk on its bus before writing it, and on the same bus logs `Reloading logs
 * for process id N` at the moment it swaps the streams, so every chunk before that marker belonged to
 * the renamed file and every later one goes to the new file (cluster mode: see swapMarker). warden
 * listens across the reload and appends to the renamed file the chunks it does not end with.
 */
export async function reopenPm2Log(
  live: string,
  rotated: string,
  source: Pm2LogSource,
  pm2: Pm2ReopenOptions,
): Promise<Pm2ReopenResult> {
  const relayed = new Relayed();
  const reload = { requested: false, at: null as number | null };
  const swapped = swapMarker(source);
  const stop = pm2.onOutput((output) => {
    if (reload.requested && reload.at === null && swapped(output)) reload.at = relayed.count();
    if (output.pmId === source.pmId && output.stream === source.stream) relayed.push(output.text);
  });
  try {
    await caughtUp(rotated, relayed);
    reload.requested = true;
    await pm2.reloadLogs();
    if (!(await pollUntil(() => reload.at !== null)))
      return unrestored('no reload marker on pm2 bus (PM2_LOG_DATE_FORMAT empty?)');
    return await restore(live, rotated, relayed, reload.at!).catch((err: unknown) => unrestored(describeError(err)));
  } finally {
    stop();
  }
}

/**
 * What shows on the bus once the streams are swapped. Fork mode: the daemon's own `Reloading logs for
 * process id N` (lib/God/ActionMethods.js), at the swap. Cluster mode: the worker prints `Reloading
 * log...` to its stdout once its new files are open (lib/ProcessContainer.js), after the swap.
 */
function swapMarker(source: Pm2LogSource): (output: Pm2Output) => boolean {
  const daemonLine = `Reloading logs for process id ${source.pmId}\n`;
  return source.cluster
    ? (o) => o.pmId === source.pmId && o.stream === 'out' && o.text.includes('Reloading log...')
    : (o) => o.stream === 'daemon' && o.text === daemonLine;
}

/** After the swap at chunk `at`: appends to `rotated` the chunks relayed before it that it lacks. */
async function restore(live: string, rotated: string, relayed: Relayed, at: number): Promise<Pm2ReopenResult> {
  await settledSize(rotated);
  if (at > 0 && at <= relayed.dropped) return unrestored('the output around the reload outgrew what warden keeps');
  const ends = at === 0 ? 0 : relayed.endsAt(await readEdge(rotated, 'tail'), at);
  if (ends === null) return unrestored('the renamed file ends with nothing pm2 relayed');
  const head = await readEdge(live, 'head');
  // where the new file starts: at the marker in fork mode for out, later for err (reopened once out is
  // open), earlier in cluster mode (the worker prints its marker after reopening)
  const starts = head.length > 0 ? relayed.startsAt(head, ends) : at;
  if (starts === null) return unrestored('the new file starts with nothing pm2 relayed');
  const gap = relayed.slice(ends, starts);
  if (gap.length > 0) await fs.appendFile(rotated, gap);
  return { restoredBytes: gap.length, unrestored: null };
}

function unrestored(reason: string): Pm2ReopenResult {
  return { restoredBytes: 0, unrestored: reason };
}

/**
 * Waits until the renamed file contains a chunk relayed since warden started listening: from then on,
 * whatever pm2 still holds unwritten was relayed too. An app printing nothing has nothing queued.
 */
async function caughtUp(file: string, relayed: Relayed): Promise<void> {
  const started = Date.now();
  await pollUntil(async () =>
    relayed.count() === 0
      ? Date.now() - started >= quietMs
      : relayed.endsAt(await readEdge(file, 'tail'), relayed.count()) !== null,
  );
}

async function pollUntil(done: () => boolean | Promise<boolean>, timeoutMs = waitMs): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await done()) return true;
    if (Date.now() >= deadline) return false;
    await delay(pollMs);
  }
}

async function readEdge(file: string, edge: 'head' | 'tail'): Promise<Buffer> {
  const handle = await fs.open(file, 'r').catch(() => null);
  if (!handle) return Buffer.alloc(0);
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, compareBytes);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, edge === 'tail' ? size - length : 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * The chunks relayed for one stream, numbered from the first one heard; the oldest are let go past
 * `keptBytes`. Positions are chunk numbers: boundaries are where a write (and so a file) can end.
 */
export class Relayed {
  private chunks: Buffer[] = [];
  private bytes = 0;
  /** Chunks let go from the front. */
  dropped = 0;

  push(text: string): void {
    if (text === '') return;
    const chunk = Buffer.from(text, 'utf8');
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    while (this.bytes > keptBytes && this.chunks.length > 1) {
      this.bytes -= this.chunks.shift()!.length;
      this.dropped++;
    }
  }

  count(): number {
    return this.dropped + this.chunks.length;
  }

  /** Bytes from chunk `from` up to chunk `to` (chunk numbers). */
  slice(from: number, to: number): Buffer {
    return Buffer.concat(this.chunks.slice(from - this.dropped, Math.max(from, to) - this.dropped));
  }

  /**
   * The latest chunk boundary, at or before `limit` and after the first kept chunk, at which the
   * relayed bytes end the way `tail` does; null when none does. Latest: where output repeats exactly,
   * warden may leave a repeat out but never writes one twice.
   */
  endsAt(tail: Buffer, limit: number): number | null {
    const all = Buffer.concat(this.chunks);
    let end = this.chunks.slice(0, limit - this.dropped).reduce((n, c) => n + c.length, 0);
    for (let i = limit; i > this.dropped; i--) {
      const length = Math.min(tail.length, end);
      if (length > 0 && all.subarray(end - length, end).equals(tail.subarray(tail.length - length))) return i;
      end -= this.chunks[i - 1 - this.dropped]!.length;
    }
    return null;
  }

  /** The first chunk boundary at or after `from` at which the relayed bytes start the way `head` does. */
  startsAt(head: Buffer, from: number): number | null {
    const all = Buffer.concat(this.chunks);
    let start = this.chunks.slice(0, from - this.dropped).reduce((n, c) => n + c.length, 0);
    for (let j = from; j < this.count(); j++) {
      const length = Math.min(head.length, all.length - start);
      if (all.subarray(start, start + length).equals(head.subarray(0, length))) return j;
      start += this.chunks[j - this.dropped]!.length;
    }
    return null;
  }
}
