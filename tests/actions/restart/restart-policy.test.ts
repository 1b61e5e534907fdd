import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RestartPolicy, backoffDelayMs, gaveUpKey, graceMs } from '../../../src/actions/restart/restart-policy.ts';
import type { ActionOutcome, RestartDriver } from '../../../src/actions/restart/types.ts';
import type { ServiceConfig } from '../../../src/config/schema.ts';
import { createTracker, type IncidentTracker } from '../../../src/incidents/tracker.ts';
import type { Observation } from '../../../src/incidents/types.ts';
import { openStore, type Store } from '../../../src/store/db.ts';
import { findUnresolvedIncident, listRecentIncidents } from '../../../src/store/incidents.ts';
import { addSilence } from '../../../src/store/silences.ts';
import { captureLogger } from '../../helpers/logger.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { configFrom } from '../../helpers/service.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const config = configFrom(`services:
  api:
    check: { http: { url: "http://127.0.0.1:3000/healthz" } }
    interval: 10s
    failureThreshold: 1
    restart: { strategy: command, command: "systemctl restart api", backoff: 10s..1m, maxRestarts: 3, window: 30m }
  slow:
    check: { http: { url: "http://127.0.0.1:3001/healthz" } }
    interval: 30s
    failureThreshold: 3
    restart: { strategy: command, command: "systemctl restart slow", backoff: 10s..1m }
  db:
    check: { tcp: { port: 5432 } }
`);
const api = config.services.api!;
const key = 'service-down:api';

class CountingDriver implements RestartDriver {
  calls: ServiceConfig[] = [];
  outcome: ActionOutcome = { attempted: true, ok: true, detail: 'ran "systemctl restart api": exit 0' };
  restart(service: ServiceConfig): Promise<ActionOutcome> {
    this.calls.push(service);
    return Promise.resolve(this.outcome);
  }
}

describe('restart policy', () => {
  let store: Store;
  let clock: ManualClock;
  let tracker: IncidentTracker;
  let driver: CountingDriver;
  let policy: RestartPolicy;

  beforeEach(async () => {
    store = await openStore(`sqlite:${path.join(tempDir(), 'warden.db')}`);
    clock = new ManualClock();
    tracker = createTracker({ store, clock, log: captureLogger().log });
    driver = new CountingDriver();
    policy = new RestartPolicy({
      services: config.services,
      drivers: { pm2: driver, command: driver, none: driver },
      incidents: tracker,
      clock,
      log: captureLogger().log,
    });
  });
  afterEach(async () => {
    await policy.stop();
    await store.close();
  });

  /** One failing observation of `key`, handed to the policy as its subscription would. */
  const down = async (observation: Observation = { detail: 'down' }, incidentKey = key) =>
    policy.handle(await tracker.report(incidentKey, observation));
  const healthy = async (incidentKey = key) => {
    const change = await tracker.resolve(incidentKey);
    if (change) await policy.handle(change);
  };
  const actionsOf = async (incidentKey: string) =>
    (await listRecentIncidents(store.db, 100)).filter((i) => i.key === incidentKey).flatMap((i) => i.actions);

  it('doubles the wait after each restart, up to the maximum', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs(api, n))).toEqual([10_000, 20_000, 40_000, 60_000, 60_000]);
  });

  it('restarts at once, then waits out the backoff', async () => {
    expect(await down()).toBe('restarted');
    await clock.advance(9_999);
    expect(await down()).toBe('backoff');
    await clock.advance(1);
    expect(await down()).toBe('restarted');
    await clock.advance(19_999);
    expect(await down()).toBe('backoff');
    expect(driver.calls).toHaveLength(2);
  });

  it('gives a restarted service failureThreshold failing checks to come up, even past its backoff', async () => {
    const slow = 'service-down:slow';
    expect(await down({ detail: 'down' }, slow)).toBe('restarted');
    await clock.advance(60_000);
    expect(await down({ detail: 'down' }, slow)).toBe('backoff');
    expect(await down({ detail: 'down' }, slow)).toBe('backoff');
    expect(await down({ detail: 'down' }, slow)).toBe('restarted');
  });

  it('restarts a crash loop once when it is recognised, after the grace of failureThreshold × interval', async () => {
    const loop = 'crash-loop:slow';
    expect(graceMs(config.services.slow!)).toBe(90_000);
    expect(await down({ detail: 'down' }, 'service-down:slow')).toBe('restarted');
    await clock.advance(60_000);
    expect(await down({ detail: 'slow exited 5× within 30m' }, loop)).toBe('backoff');
    expect(await down({ detail: 'slow exited 6× within 30m' }, loop)).toBeNull();
    await healthy(loop);
    await clock.advance(30_000);
    expect(await down({ detail: 'slow exited 5× within 30m' }, loop)).toBe('restarted');
  });

  it('records every restart on the incident', async () => {
    await down();
    expect(await actionsOf(key)).toEqual([
      { at: clock.now(), kind: 'restart', ok: true, detail: 'ran "systemctl restart api": exit 0' },
    ]);
  });

  it('reacts to a crash loop as to an outage, with the same pacing', async () => {
    expect(await down({ detail: 'api exited 5× within 30m' }, 'crash-loop:api')).toBe('restarted');
    expect(await down()).toBe('backoff');
    expect(await actionsOf('crash-loop:api')).toHaveLength(1);
  });

  it('hears changes once started, and ignores topics that are not its business', async () => {
    await policy.start();
    await tracker.report(key, { detail: 'down' });
    await tracker.report('service-crashed:api', { detail: 'exited' });
    await tracker.report('disk-usage:/', { detail: '91% used' });
    await policy.idle();
    expect(driver.calls.map((s) => s.name)).toEqual(['api']);
  });

  it('gives up after maxRestarts within window: exactly one restart-gave-up, no further restarts', async () => {
    for (let i = 0; i < 3; i++) {
      expect(await down()).toBe('restarted');
      await clock.advance(60_000);
    }
    for (let i = 0; i < 5; i++) {
      expect(await down({ detail: 'GET /healthz: timed out' })).toBe('gave-up');
      await clock.advance(60_000);
    }
    expect(driver.calls).toHaveLength(3);
    const gaveUp = (await listRecentIncidents(store.db, 100)).filter((i) => i.key === gaveUpKey('api'));
    expect(gaveUp).toMatchObject([
      {
        count: 1,
        detail:
          'api was restarted 3× within 30m and is still down (GET /healthz: timed out); warden stopped restarting it — a human is needed',
      },
    ]);
  });

  it('counts failed restarts toward the limit', async () => {
    driver.outcome = { attempted: true, ok: false, detail: 'ran "systemctl restart api": exit 5' };
    for (let i = 0; i < 3; i++) {
      expect(await down()).toBe('failed');
      await clock.advance(60_000);
    }
    expect(await down()).toBe('gave-up');
    expect((await actionsOf(key)).map((a) => a.ok)).toEqual([false, false, false]);
  });

  it('does not count what it could not attempt', async () => {
    driver.outcome = { attempted: false, ok: false, detail: 'pm2 restart api: pm2 daemon not running' };
    for (let i = 0; i < 5; i++) expect(await down()).toBe('not-attempted');
    driver.outcome = { attempted: true, ok: true, detail: 'pm2 restart api' };
    expect(await down()).toBe('restarted');
  });

  it('counts restarts across short recoveries within the window', async () => {
    for (let i = 0; i < 3; i++) {
      expect(await down()).toBe('restarted');
      await healthy();
      await clock.advance(60_000);
    }
    expect(await down()).toBe('gave-up');
  });

  it('restarts again once old restarts leave the window', async () => {
    for (let i = 0; i < 3; i++) {
      await down();
      await healthy();
      await clock.advance(60_000);
    }
    await clock.advance(30 * 60_000);
    expect(await down()).toBe('restarted');
  });

  it('resumes after the service is healthy again and resolves restart-gave-up', async () => {
    for (let i = 0; i < 4; i++) {
      await down();
      await clock.advance(60_000);
    }
    expect(await tracker.stateOf(gaveUpKey('api'))).toBe('open');
    await healthy();
    expect(await tracker.stateOf(gaveUpKey('api'))).toBeNull();
    expect((await listRecentIncidents(store.db, 1))[0]).toMatchObject({ key: gaveUpKey('api'), state: 'resolved' });
    expect(await down()).toBe('restarted');
    expect(driver.calls).toHaveLength(4);
  });

  it('resumes after restart-gave-up is acknowledged', async () => {
    for (let i = 0; i < 4; i++) {
      await down();
      await clock.advance(60_000);
    }
    expect(await down()).toBe('gave-up');
    await tracker.acknowledge(gaveUpKey('api'), 'cli');
    expect(await down()).toBe('restarted');
  });

  it('keeps a give-up from before warden restarted', async () => {
    await tracker.report(gaveUpKey('api'), { detail: 'restarted 3× …' });
    expect(await down()).toBe('gave-up');
    expect(driver.calls).toHaveLength(0);
  });

  it('does not restart a silenced service, nor one whose parent is down', async () => {
    await addSilence(store, { target: 'api', until: clock.now() + 60_000, reason: null, at: clock.now() });
    expect(await down()).toBe('suppressed');
    await clock.advance(60_000);
    expect(await down({ detail: 'down', parentKey: 'db-down:db' })).toBe('suppressed');
    expect((await findUnresolvedIncident(store.db, key))?.parentKey).toBe('db-down:db');
    expect(await down({ detail: 'down', parentKey: null })).toBe('restarted');
    expect(driver.calls).toHaveLength(1);
  });

  it('never restarts with strategy none', async () => {
    expect(config.services.db!.restart.strategy).toBe('none');
    expect(await down({ detail: 'down' }, 'service-down:db')).toBe('not-attempted');
    expect(driver.calls).toHaveLength(0);
  });
});
