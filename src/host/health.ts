import os from 'node:os';
import { formatSize } from '../config/units.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { Part } from '../lib/part.ts';
import { every } from '../scheduler/every.ts';
import type { IncidentSink } from '../incidents/types.ts';

/** One reading of the host. */
export interface HostSample {
  totalBytes: number;
  availableBytes: number;
  /** The 1-minute load average. */
  load1: number;
  cores: number;
}

/**
 * Memory from systeminformation (`mem()` reads /proc/meminfo asynchronously, well under a
 * millisecond). Load from Node itself: systeminformation's `currentLoad()` runs
 * `cat /proc/stat | grep cpu` through a synchronous shell on every call, blocking the event loop,
 * and its `avgLoad` is already per core and the largest of the 1/5/15-minute averages.
 */
export async function readHost(): Promise<HostSample> {
  // loaded on first use: systeminformation adds ~10 MB of RSS to a daemon that may never need it
  const { default: si } = await import('systeminformation');
  const mem = await si.mem();
  return {
    totalBytes: mem.total,
    availableBytes: mem.available,
    load1: os.loadavg()[0] ?? 0,
    cores: os.availableParallelism(),
  };
}

export interface HostHealthOptions {
  incidents: IncidentSink;
  clock: Clock;
  log: Logger;
  intervalMs?: number;
  /** `host-memory` opens below this share of memory available, and resolves above `memoryClearRatio`. */
  memoryWarnRatio?: number;
  memoryClearRatio?: number;
  /** `host-load` opens above this 1-minute load per core, and resolves below `loadClearPerCore`. */
  loadWarnPerCore?: number;
  loadClearPerCore?: number;
  /** Consecutive bad samples before an incident opens: a single spike is not news. */
  samples?: number;
  read?: () => Promise<HostSample>;
}

/** Host memory and load as warning incidents, with hysteresis so a value near the line does not flap. */
export function createHostHealth(options: HostHealthOptions): Part {
  const { incidents } = options;
  const log = options.log.child({ part: 'host-health' });
  const read = options.read ?? readHost;
  const memoryWarn = options.memoryWarnRatio ?? 0.1;
  const memoryClear = options.memoryClearRatio ?? 0.15;
  const loadWarn = options.loadWarnPerCore ?? 2;
  const loadClear = options.loadClearPerCore ?? 1.5;
  const needed = options.samples ?? 3;
  const memory = { bad: 0 };
  const load = { bad: 0 };

  // Level-triggered: the store, not this part, knows whether an incident is open (also one an
  // earlier run of warden opened). Between the warn and clear lines nothing is said, so it does not flap.
  const judge = async (state: { bad: number }, key: string, bad: boolean, clear: boolean, detail: string) => {
    state.bad = bad ? state.bad + 1 : 0;
    if (bad && state.bad >= needed) await incidents.observe(key, { ok: false, detail });
    else if (clear) await incidents.observe(key, { ok: true, detail });
  };

  return every({
    name: 'host-health',
    intervalMs: options.intervalMs ?? 30_000,
    jitterRatio: 0.1,
    clock: options.clock,
    log,
    run: async () => {
      const sample = await read();
      const availableRatio = sample.totalBytes > 0 ? sample.availableBytes / sample.totalBytes : 1;
      const perCore = sample.load1 / Math.max(1, sample.cores);
      await judge(
        memory,
        'host-memory',
        availableRatio < memoryWarn,
        availableRatio >= memoryClear,
        `memory ${Math.round((1 - availableRatio) * 100)}% used: ${formatSize(sample.availableBytes)} available of ${formatSize(sample.totalBytes)}`,
      );
      await judge(
        load,
        'host-load',
        perCore > loadWarn,
        perCore <= loadClear,
        `load ${sample.load1.toFixed(2)} on ${sample.cores} core${sample.cores === 1 ? '' : 's'} (${perCore.toFixed(2)} per core)`,
      );
    },
  });
}
