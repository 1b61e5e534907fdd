import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/db.ts';
import { createCheckResultWriter, type CheckResultWriter } from '../../src/supervision/check-result-writer.ts';
import { Dependencies, downIncidentKey } from '../../src/supervision/dependencies.ts';
import { createServiceMonitor } from '../../src/supervision/service-monitor.ts';
import { captureLogger } from '../helpers/logger.ts';
import { adminUrl } from '../helpers/postgres.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { MemoryIncidents } from '../helpers/memory-incidents.ts';
import { closedPort, httpServer } from '../helpers/servers.ts';
import { until } from '../helpers/until.ts';
import { configFrom } from '../helpers/service.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('service monitor', () => {
  let store: Store;
  let results: CheckResultWriter;
  let clock: ManualClock;
  let incidents: MemoryIncidents;
  let healthy: boolean;
  let hits: number;
  let url: string;

  beforeEach(async () => {
    store = await openStore(`sqlite:${path.join(tempDir(), 'warden.db')}`);
    clock = new ManualClock();
    results = createCheckResultWriter({ store, clock, log: captureLogger().log });
    incidents = new MemoryIncidents();
    healthy = true;
    hits = 0;
    ({ url } = await httpServer((_req, res) => {
      hits += 1;
      res.statusCode = healthy ? 200 : 503;
      res.end(healthy ? 'ok' : 'migrations pending');
    }));
  });
  afterEach(async () => {
    await store.close();
  });

  const build = (yaml: string, name = 'api') => {
    const config = configFrom(yaml);
    const dependencies = new Dependencies(config.services);
    const monitors = Object.values(config.services).map((service) =>
      createServiceMonitor({
        service,
        results,
        incidents,
        dependencies,
        clock,
        log: captureLogger().log,
        pm2: null,
      }),
    );
    const monitor = monitors.find((m) => m.service.name === name)!;
    return { monitor, monitors, config };
  };
  const api = (extra = '') =>
    `services:\n  api:\n    check: { http: { url: "${url}/healthz" } }\n    restart: { strategy: command, command: "true" }\n${extra}`;

  it('opens service-down only at failureThreshold, with the service severity', async () => {
    const { monitor } = build(api('    failureThreshold: 3\n    severity: warning\n'));
    healthy = false;
    const firstCheckAt = clock.now();
    await monitor.checkNow();
    await clock.advance(10_000);
    await monitor.checkNow();
    expect(monitor.health()).toBe('failing');
    expect(incidents.reports).toHaveLength(0);
    await clock.advance(10_000);
    await monitor.checkNow();
    expect(monitor.health()).toBe('down');
    expect(incidents.reportsOf('service-down:api')).toEqual([
      {
        detail: `GET ${url}/healthz: expected status 200, got 503`,
        excerpt: 'migrations pending',
        severity: 'warning',
        parentKey: null,
        since: expect.any(Number),
      },
    ]);
    // failing since the first failed check, not since the threshold was reached
    expect(incidents.reportsOf('service-down:api')[0]!.since).toBe(firstCheckAt);
  });

  it('resolves after successThreshold good checks', async () => {
    const { monitor } = build(api('    failureThreshold: 1\n    successThreshold: 2\n'));
    healthy = false;
    await monitor.checkNow();
    healthy = true;
    await monitor.checkNow();
    expect(monitor.health()).toBe('down');
    expect(incidents.resolutions).toHaveLength(0);
    await monitor.checkNow();
    expect(monitor.health()).toBe('healthy');
    expect(incidents.resolutions).toEqual([
      {
        key: 'service-down:api',
        detail: expect.stringMatching(/^recovered: GET .*\/healthz: 200 in \d+ms$/),
        at: expect.any(Number),
      },
    ]);
  });

  it('hands every result to the store writer', async () => {
    const { monitor } = build(api());
    await monitor.checkNow();
    healthy = false;
    await monitor.checkNow();
    await results.flush();
    const rows = await store.db.selectFrom('check_results').selectAll().orderBy('id').execute();
    expect(rows.map((r) => [r.service, r.ok, r.at])).toEqual([
      ['api', 1, clock.now()],
      ['api', 0, clock.now()],
    ]);
  });

  it('only reports: every failing check once down is observed, and no restart is asked for here', async () => {
    const { monitor } = build(api('    failureThreshold: 2\n'));
    healthy = false;
    for (let i = 0; i < 6; i++) await monitor.checkNow();
    // the restart policy hears these as incident changes and paces restarts itself
    expect(incidents.reportsOf('service-down:api')).toHaveLength(5);
  });

  it('never runs two checks of one service at once', async () => {
    const { monitor } = build(api());
    const [a, b] = await Promise.all([monitor.checkNow(), monitor.checkNow()]);
    expect(a).toBe(b);
    expect(hits).toBe(1);
  });

  it('runs at its interval when started', async () => {
    const { monitor } = build(api('    interval: 10s\n'));
    await monitor.start();
    try {
      await until(() => hits === 1 && clock.sleeping === 1, 2000, 'the first check, then the wait for the next');
      await clock.advance(9_000);
      expect(hits).toBe(1);
      // the interval is stretched by up to 10% jitter
      await clock.advance(2_000);
      await until(() => hits === 2, 2000, 'the second check');
    } finally {
      await monitor.stop();
    }
  });

  it('calls a pm2-managed service down for want of a pm2 daemon, without probing it', async () => {
    const config = configFrom(
      `services:\n  api:\n    pm2: api\n    check: { http: { url: "${url}/healthz" } }\n    failureThreshold: 1\n`,
    );
    const monitor = createServiceMonitor({
      service: config.services.api!,
      results,
      incidents,
      dependencies: new Dependencies(config.services),
      clock,
      log: captureLogger().log,
      pm2: { attached: () => false, home: '/srv/pm2', describe: () => Promise.reject(new Error('not attached')) },
    });
    expect(await monitor.checkNow()).toMatchObject({ ok: false, detail: 'pm2 daemon not running (PM2_HOME=/srv/pm2)' });
    expect(hits).toBe(0);
    expect(incidents.reportsOf('service-down:api')[0]?.detail).toBe('pm2 daemon not running (PM2_HOME=/srv/pm2)');
  });

  it('names postgres outages db-down', () => {
    const { config } = build(
      `services:\n  main: { check: { postgres: { url: "postgres://u@127.0.0.1:1/db" } } }\n  api: { check: { tcp: { port: 80 } } }\n`,
    );
    expect(downIncidentKey(config.services.main!)).toBe('db-down:main');
    expect(downIncidentKey(config.services.api!)).toBe('service-down:api');
  });

  describe('dependsOn', () => {
    const withDb = async (child: string) => {
      const port = await closedPort();
      return `services:
  db:
    check: { postgres: { url: "postgres://app@127.0.0.1:${port}/app", timeout: 1s } }
    failureThreshold: 2
  api:
    check: { http: { url: "${url}/healthz" } }
    restart: { strategy: command, command: "true" }
    dependsOn: [db]
${child}`;
    };

    it('links the child to a parent that is down', async () => {
      const { monitor, monitors } = build(await withDb('    failureThreshold: 1\n'));
      const db = monitors.find((m) => m.service.name === 'db')!;
      await db.checkNow();
      await db.checkNow();
      expect(db.health()).toBe('down');
      healthy = false;
      await monitor.checkNow();
      await monitor.checkNow();
      expect(incidents.reportsOf('db-down:db')[0]?.detail).toMatch(
        /^postgres 127\.0\.0\.1:\d+\/app: connect ECONNREFUSED/,
      );
      expect(incidents.reportsOf('service-down:api').map((o) => o.parentKey)).toEqual(['db-down:db', 'db-down:db']);
    });

    it('checks the parent again when the child notices first', async () => {
      const { monitor, monitors } = build(await withDb('    failureThreshold: 1\n'));
      const db = monitors.find((m) => m.service.name === 'db')!;
      healthy = false;
      await monitor.checkNow();
      expect(db.lastResult()?.ok).toBe(false);
      expect(incidents.reportsOf('service-down:api')[0]?.parentKey).toBe('db-down:db');
    });

    it('treats the child as its own outage while the parent is healthy', async () => {
      const { monitor } = build(`services:
  db:
    check: { postgres: { url: "${adminUrl}" } }
  api:
    check: { http: { url: "${url}/healthz" } }
    restart: { strategy: command, command: "true" }
    dependsOn: [db]
    failureThreshold: 1
`);
      healthy = false;
      await monitor.checkNow();
      expect(incidents.reportsOf('service-down:api')[0]?.parentKey).toBeNull();
    });
  });
});
