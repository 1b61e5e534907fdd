import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';

const load = (yaml: string) => parseConfig(yaml, 'w.yaml', { env: {}, baseDir: '/srv/warden' }).config;

describe('fleet config', () => {
  it('has defaults without a fleet section, and takes durations and a count', () => {
    expect(load('host: web-1').fleet).toEqual({ heartbeatMs: 5000, missed: 3, leaderPollMs: 2000 });
    expect(load('fleet: { heartbeat: 10s, missed: 5, leaderPoll: 1s }').fleet).toEqual({
      heartbeatMs: 10_000,
      missed: 5,
      leaderPollMs: 1000,
    });
  });

  it('names every wrong key in one pass', () => {
    expect(() => load('fleet: { heartbeat: 10ms, missed: 0, leaderPoll: soon }')).toThrow(
      /fleet\.heartbeat: must be at least 200ms[^\n]*\n.*fleet\.missed: [^\n]*\n.*fleet\.leaderPoll: must be a duration like 2s/,
    );
  });
});
