import { describe, expect, it } from 'vitest';
import { createHostHealth, readHost, type HostSample } from '../../src/host/health.ts';
import { captureLogger } from '../helpers/logger.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { MemoryIncidents } from '../helpers/memory-incidents.ts';
import { drive } from '../helpers/until.ts';

const gb = 1024 ** 3;

/** Host health on a manual clock, sampling every second, reporting to memory. */
function watchHost(options: Pick<Parameters<typeof createHostHealth>[0], 'read' | 'samples'>) {
  const clock = new ManualClock();
  const incidents = new MemoryIncidents();
  const part = createHostHealth({ incidents, clock, log: captureLogger().log, intervalMs: 1000, ...options });
  return { clock, incidents, part };
}

describe('host health', () => {
  it('reads memory and load from this machine', async () => {
    const sample = await readHost();
    expect(sample.totalBytes).toBeGreaterThan(0);
    expect(sample.availableBytes).toBeGreaterThan(0);
    expect(sample.cores).toBeGreaterThan(0);
    expect(sample.load1).toBeGreaterThanOrEqual(0);
  });

  it('opens host-memory after consecutive bad samples and resolves with hysteresis', async () => {
    const samples: HostSample[] = [0.05, 0.05, 0.05, 0.12, 0.2].map((free) => ({
      totalBytes: 4 * gb,
      availableBytes: free * 4 * gb,
      load1: 0.5,
      cores: 2,
    }));
    let reads = 0;
    const { clock, incidents, part } = watchHost({
      read: () => Promise.resolve(samples[Math.min(reads++, samples.length - 1)]!),
    });
    await part.start();
    try {
      await drive(clock, () => incidents.resolutions.length === 1, { what: 'the resolution' });
      expect(reads).toBe(5);
      expect(incidents.reportsOf('host-memory')).toEqual([{ detail: 'memory 95% used: 205MB available of 4.0GB' }]);
      // 12% available is above the alarm line but below the all-clear line: still open after the 4th sample
      expect(incidents.resolutions[0]).toMatchObject({
        key: 'host-memory',
        detail: 'memory 80% used: 819MB available of 4.0GB',
      });
      expect(incidents.reportsOf('host-load')).toEqual([]);
    } finally {
      await part.stop();
    }
  });

  it('opens host-load when the load per core stays high', async () => {
    let reads = 0;
    const { clock, incidents, part } = watchHost({
      samples: 2,
      read: () => Promise.resolve({ totalBytes: 4 * gb, availableBytes: 2 * gb, load1: 5.1 + 0 * reads++, cores: 2 }),
    });
    await part.start();
    try {
      await drive(clock, () => incidents.reportsOf('host-load').length === 1, { what: 'host-load' });
      expect(reads).toBe(2);
      expect(incidents.reportsOf('host-load')[0]).toEqual({ detail: 'load 5.10 on 2 cores (2.55 per core)' });
    } finally {
      await part.stop();
    }
  });
});
