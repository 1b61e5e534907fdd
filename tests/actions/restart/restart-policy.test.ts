import { beforeEach, describe, expect, it } from 'vitest';
import { RestartPolicy, backoffDelayMs, gaveUpKey } from '../../../src/actions/restart/restart-policy.ts';
import type { ActionOutcome, RestartDriver } from '../../../src/actions/restart/types.ts';
import type { ServiceConfig } from '../../../src/config/schema.ts';
import { captureLogger } from '../../helpers/logger.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { MemoryIncidents, memorySilences } from '../../helpers/memory-incidents.ts';
import { serviceFrom } from '../../helpers/service.ts';

const api = serviceFrom(
  'api',
  `check: { http: { url: "http://127.0.0.1:3000/healthz" } }
restart: { strategy: command, command: "systemctl restart api", backoff: 10s..1m, maxRestarts: 3, window: 30m }`,
);
const key = 'service-down:api';
const live = () => new AbortController().signal;

class CountingDriver implements RestartDriver {
  calls: ServiceConfig[] = [];
  outcome: ActionOutcome = { attempted: true, ok: true, detail: 'ran "systemctl restart api": exit 0' };
  restart(service: ServiceConfig): Promise<ActionOutcome> {
    this.calls.push(service);
    return Promise.resolve(this.outcome);
  }
}

describe('restart policy', () => {
  let clock: ManualClock;
  let incidents: MemoryIncidents;
  let driver: CountingDriver;
  let silences: ReturnType<typeof memorySilences>;
  let policy: RestartPolicy;

  beforeEach(async () => {
    clock = new ManualClock();
    incidents = new MemoryIncidents();
    driver = new CountingDriver();
    silences = memorySilences();
    policy = new RestartPolicy({
      drivers: { pm2: driver, command: driver, none: driver },
      incidents,
      silences,
      clock,
      log: captureLogger().log,
    });
    await incidents.report(key, { detail: 'down' });
  });

  it('doubles the wait after each restart, up to the maximum', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs(api, n))).toEqual([10_000, 20_000, 40_000, 60_000, 60_000]);
  });

  it('restarts at once, then waits out the backoff', async () => {
    expect(await policy.onDown(api, key, 'down', live())).toBe('restarted');
    await clock.advance(9_999);
    expect(await policy.onDown(api, key, 'down', live())).toBe('backoff');
    await clock.advance(1);
    expect(await policy.onDown(api, key, 'down', live())).toBe('restarted');
    await clock.advance(19_999);
    expect(await policy.onDown(api, key, 'down', live())).toBe('backoff');
    expect(driver.calls).toHaveLength(2);
  });

  it('records every restart on the incident', async () => {
    await policy.onDown(api, key, 'down', live());
    expect(incidents.open.get(key)?.actions).toEqual([
      { at: clock.now(), kind: 'restart', ok: true, detail: 'ran "systemctl restart api": exit 0' },
    ]);
  });

  it('gives up after maxRestarts within window: exactly one restart-gave-up, no further restarts', async () => {
    for (let i = 0; i < 3; i++) {
      expect(await policy.onDown(api, key, 'down', live())).toBe('restarted');
      await clock.advance(60_000);
    }
    for (let i = 0; i < 5; i++) {
      expect(await policy.onDown(api, key, 'GET /healthz: timed out', live())).toBe('gave-up');
      await clock.advance(60_000);
    }
    expect(driver.calls).toHaveLength(3);
    expect(incidents.reportsOf(gaveUpKey('api'))).toEqual([
      {
        detail:
          'api was restarted 3× within 30m and is still down (GET /healthz: timed out); warden stopped restarting it — a human is needed',
      },
    ]);
  });

  it('counts failed restarts toward the limit', async () => {
    driver.outcome = { attempted: true, ok: false, detail: 'ran "systemctl restart api": exit 5' };
    for (let i = 0; i < 3; i++) {
      expect(await policy.onDown(api, key, 'down', live())).toBe('failed');
      await clock.advance(60_000);
    }
    expect(await policy.onDown(api, key, 'down', live())).toBe('gave-up');
    expect(incidents.open.get(key)?.actions.map((a) => a.ok)).toEqual([false, false, false]);
  });

  it('does not count what it could not attempt', async () => {
    driver.outcome = { attempted: false, ok: false, detail: 'pm2 restart api: pm2 daemon not running' };
    for (let i = 0; i < 5; i++) expect(await policy.onDown(api, key, 'down', live())).toBe('not-attempted');
    driver.outcome = { attempted: true, ok: true, detail: 'pm2 restart api' };
    expect(await policy.onDown(api, key, 'down', live())).toBe('restarted');
  });

  it('counts restarts across short recoveries within the window', async () => {
    for (let i = 0; i < 3; i++) {
      expect(await policy.onDown(api, key, 'down', live())).toBe('restarted');
      await policy.onHealthy(api);
      await clock.advance(60_000);
    }
    expect(await policy.onDown(api, key, 'down', live())).toBe('gave-up');
  });

  it('restarts again once old restarts leave the window', async () => {
    for (let i = 0; i < 3; i++) {
      await policy.onDown(api, key, 'down', live());
      await policy.onHealthy(api);
      await clock.advance(60_000);
    }
    await clock.advance(30 * 60_000);
    expect(await policy.onDown(api, key, 'down', live())).toBe('restarted');
  });

  it('resumes after the service is healthy again and resolves restart-gave-up', async () => {
    for (let i = 0; i < 4; i++) {
      await policy.onDown(api, key, 'down', live());
      await clock.advance(60_000);
    }
    expect(await incidents.stateOf(gaveUpKey('api'))).toBe('open');
    await policy.onHealthy(api);
    expect(await incidents.stateOf(gaveUpKey('api'))).toBeNull();
    expect(incidents.resolutions.at(-1)).toMatchObject({
      key: gaveUpKey('api'),
      detail: 'api is healthy again; restarts resumed',
    });
    expect(await policy.onDown(api, key, 'down', live())).toBe('restarted');
    expect(driver.calls).toHaveLength(4);
  });

  it('resumes after restart-gave-up is acknowledged', async () => {
    for (let i = 0; i < 4; i++) {
      await policy.onDown(api, key, 'down', live());
      await clock.advance(60_000);
    }
    expect(await policy.onDown(api, key, 'down', live())).toBe('gave-up');
    incidents.acknowledge(gaveUpKey('api'));
    expect(await policy.onDown(api, key, 'down', live())).toBe('restarted');
  });

  it('keeps a give-up from before warden restarted', async () => {
    await incidents.report(gaveUpKey('api'), { detail: 'restarted 3× …' });
    expect(await policy.onDown(api, key, 'down', live())).toBe('gave-up');
    expect(driver.calls).toHaveLength(0);
  });

  it('does not restart a silenced service', async () => {
    silences.covered.add('api');
    expect(await policy.onDown(api, key, 'down', live())).toBe('silenced');
    silences.covered.clear();
    expect(await policy.onDown(api, key, 'down', live())).toBe('restarted');
  });

  it('never restarts with strategy none', async () => {
    const watched = serviceFrom('db', 'check: { tcp: { port: 5432 } }');
    expect(watched.restart.strategy).toBe('none');
    expect(await policy.onDown(watched, 'service-down:db', 'down', live())).toBe('not-attempted');
    expect(driver.calls).toHaveLength(0);
  });
});
