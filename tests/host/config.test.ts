import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { Store } from '../../src/store/db.ts';
import { createSupervision } from '../../src/supervision/index.ts';
import { captureLogger } from '../helpers/logger.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { MemoryIncidents } from '../helpers/memory-incidents.ts';
import { drive } from '../helpers/until.ts';

const parse = (text: string) => parseConfig(text, 'warden.config.yaml', { env: {}, baseDir: '/srv/warden' }).config;

function problemsOf(text: string): string[] {
  try {
    parse(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message.split('\n');
  }
  throw new Error('expected the config to be rejected');
}

const defaults = {
  memoryWarnRatio: 0.1,
  memoryClearRatio: 0.15,
  loadWarnPerCore: 2,
  loadClearPerCore: 1.5,
  samples: 3,
  intervalMs: 30_000,
};

describe('host config', () => {
  it('takes host as the hostname, with the default thresholds', () => {
    const config = parse('host: web-1\n');
    expect(config.host).toBe('web-1');
    expect(config.hostHealth).toEqual(defaults);
  });

  it('takes host as an object with a name and the host-health thresholds', () => {
    const config = parse(
      'host:\n  name: web-2\n  memory: { warnBelow: 5%, clearAbove: 8% }\n  load: { warnAbove: 3, clearBelow: 2.5 }\n  samples: 5\n  interval: 10s\n',
    );
    expect(config.host).toBe('web-2');
    expect(config.hostHealth).toEqual({
      memoryWarnRatio: 0.05,
      memoryClearRatio: 0.08,
      loadWarnPerCore: 3,
      loadClearPerCore: 2.5,
      samples: 5,
      intervalMs: 10_000,
    });
  });

  it('keeps the OS hostname when the object has no name', () => {
    expect(parse('host: { samples: 2 }\n').host).toBeTruthy();
    expect(parse('host: { samples: 2 }\n').hostHealth.samples).toBe(2);
  });

  it('reports every threshold problem and unknown key at once', () => {
    expect(
      problemsOf(
        'host:\n  memory: { warnBelow: 20%, clearAbove: 10% }\n  load: { warnAbove: 1, clearBelow: 2 }\n  sample: 3\n',
      ),
    ).toEqual([
      'warden.config.yaml: host.memory.clearAbove: must be above memory.warnBelow',
      'warden.config.yaml: host.load.clearBelow: must be below load.warnAbove',
      'warden.config.yaml: host.sample: unknown key (check the spelling)',
    ]);
    expect(problemsOf('host: 5\n')).toEqual([
      'warden.config.yaml: host: must be a hostname, or an object with name, memory, load, samples, interval',
    ]);
  });

  it('reaches host health: one bad sample opens host-memory when samples is 1', async () => {
    const config = parse('host: { memory: { warnBelow: 50%, clearAbove: 60% }, samples: 1, interval: 1s }\n');
    const clock = new ManualClock();
    const incidents = new MemoryIncidents();
    let reads = 0;
    const supervision = createSupervision({
      config,
      // only the host-health part is started below, and it does not use the store
      store: {} as Store,
      incidents,
      pm2: null,
      clock,
      log: captureLogger().log,
      tuning: {
        hostHealth: {
          read: () => {
            reads++;
            return Promise.resolve({ totalBytes: 100, availableBytes: 40, load1: 0, cores: 2 });
          },
        },
      },
    });
    const hostHealth = supervision.parts.find((part) => part.name === 'host-health')!;
    await hostHealth.start();
    try {
      await drive(clock, () => incidents.reportsOf('host-memory').length === 1, { what: 'host-memory' });
      expect(reads).toBe(1);
    } finally {
      await hostHealth.stop();
    }
  });
});
