import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/lib/clock.ts';
import type { Part } from '../../src/lib/part.ts';
import { Dependencies } from '../../src/supervision/dependencies.ts';
import { createPm2Client } from '../../src/pm2/client.ts';
import type { Pm2Client } from '../../src/pm2/types.ts';
import { createPm2Events } from '../../src/supervision/pm2-events.ts';
import { captureLogger } from '../helpers/logger.ts';
import { MemoryIncidents } from '../helpers/memory-incidents.ts';
import { appsDir, createPm2Home } from '../helpers/pm2.ts';
import { closedPort } from '../helpers/servers.ts';
import { until } from '../helpers/until.ts';
import { configFrom } from '../helpers/service.ts';

const pm2 = createPm2Home();
const httpApp = path.join(appsDir, 'http-app.mjs');
const crashAtStart = path.join(appsDir, 'crash-at-start.mjs');
const started: Part[] = [];
let client: Pm2Client;

beforeAll(async () => {
  await pm2.startDaemon();
});
afterEach(async () => {
  for (const part of started.splice(0).reverse()) await part.stop();
  await pm2.cli('delete', 'all').catch(() => undefined);
});
afterAll(async () => {
  await pm2.kill();
});

/** pm2 events for the given services, on a fresh client; returns what they reported. */
async function watch(yaml: string, options: { stableMs?: number; parentDown?: string } = {}) {
  const config = configFrom(yaml);
  const incidents = new MemoryIncidents();
  const logger = captureLogger();
  const dependencies = new Dependencies(config.services);
  if (options.parentDown)
    dependencies.register(options.parentDown, {
      incidentKey: `db-down:${options.parentDown}`,
      health: () => 'down',
      lastOk: () => false,
      checkNow: () => Promise.resolve({ ok: false }),
    });
  client = createPm2Client({ home: pm2.home, log: logger.log, clock: systemClock, probeIntervalMs: 200 });
  const events = createPm2Events({
    client,
    services: Object.values(config.services).filter((s) => s.pm2 !== null),
    incidents,
    dependencies,
    clock: systemClock,
    log: logger.log,
    stableMs: options.stableMs ?? 500,
  });
  for (const part of [client, events]) {
    await part.start();
    started.push(part);
  }
  return { incidents, logger };
}

const service = (name: string, extra = '') => `services:\n  ${name}:\n    check: { pm2: {} }\n${extra}`;

describe('pm2 events', () => {
  it('opens service-crashed at once when an app is killed, and resolves it once the app stays up', async () => {
    const port = await closedPort();
    await pm2.startApps([{ name: 'api', script: httpApp, env: { PORT: String(port) } }]);
    const { incidents } = await watch(service('api'));
    process.kill(await pm2.pidOf('api'), 'SIGKILL');
    // nothing here runs checks: a report can only come from pm2's bus (latency: bench/supervision-crash-latency.ts)
    await until(() => incidents.reportsOf('service-crashed:api').length === 1, 10_000, 'service-crashed');
    const report = incidents.reports.find((r) => r.key === 'service-crashed:api')!;
    expect(report.observation).toMatchObject({
      detail: expect.stringMatching(
        /^api exited unexpectedly \(killed by SIGKILL, after \d+(ms|s) up\); pm2 restarted it$/,
      ),
      parentKey: null,
    });
    await until(() => incidents.resolutions.length === 1, 3000, 'resolution');
    expect(incidents.resolutions[0]).toMatchObject({
      key: 'service-crashed:api',
      detail: 'api has stayed online for 500ms and its check passes',
    });
  });

  it('keeps the app stderr that came just before a crash as the excerpt', async () => {
    const port = await closedPort();
    await pm2.startApps([
      { name: 'worker', script: httpApp, env: { PORT: String(port), CRASH_AFTER_MS: '400' }, autorestart: false },
    ]);
    const { incidents } = await watch(service('worker'));
    await until(() => incidents.reportsOf('service-crashed:worker').length === 1, 3000, 'service-crashed');
    expect(incidents.reportsOf('service-crashed:worker')[0]).toMatchObject({
      detail: expect.stringMatching(/exit code 1, .*pm2 did not restart it$/),
      excerpt: 'fatal: lost connection to the queue',
    });
  });

  it('does not call a restart, reload or stop a crash, whoever asked for it', async () => {
    const port = await closedPort();
    await pm2.startApps([{ name: 'api', script: httpApp, env: { PORT: String(port) } }]);
    const { incidents, logger } = await watch(service('api'));
    await until(() => client.attached(), 10_000);
    const onlines: number[] = [];
    client.onEvent((e) => {
      if (e.app.name === 'api' && e.event === 'online') onlines.push(e.at);
    });
    await client.restart('api');
    await pm2.cli('restart', 'api');
    await pm2.cli('reload', 'api');
    await pm2.cli('stop', 'api');
    await pm2.cli('start', 'api');
    const stopsSeen = () => logger.lines().filter((l) => l.msg === 'app stopped on request');
    // every exit was judged (four stops logged) and the app came back after the last one
    await until(
      () => stopsSeen().length === 4 && onlines.length >= 4,
      10_000,
      'the last stop judged and the app online',
    );
    const stops = stopsSeen();
    expect(stops.map((l) => l.by)).toEqual(['warden', 'operator', 'operator', 'operator']);
    // no crash; the operator's stop is named on service-down, which resolves once the app is back
    expect(incidents.reports.map((r) => r.key)).toEqual(['service-down:api']);
    expect(incidents.reportsOf('service-down:api')[0]).toMatchObject({
      detail: 'api is stopped in pm2 (pm2 stop)',
      action: { kind: 'pm2-stop', detail: 'stopped with pm2 by an operator', restartInMs: 45_000 },
    });
    await until(() => !incidents.open.has('service-down:api'), 10_000, 'service-down resolved');
  });

  it('opens crash-loop when an app that was healthy exits maxRestarts times within the window', async () => {
    const port = await closedPort();
    // up long enough each time that pm2 itself never marks it errored
    await pm2.startApps([
      {
        name: 'bot',
        script: httpApp,
        env: { PORT: String(port), CRASH_AFTER_MS: '300' },
        min_uptime: 100,
        max_restarts: 50,
      },
    ]);
    // online for less than stableMs each time, however slowly a loaded machine boots the app
    const { incidents } = await watch(service('bot', '    restart: { maxRestarts: 3, window: 1m }\n'), {
      stableMs: 5000,
    });
    await until(() => incidents.reportsOf('crash-loop:bot').length >= 1, 8000, 'crash-loop');
    expect(incidents.reportsOf('service-crashed:bot').length).toBeGreaterThanOrEqual(3);
    expect(incidents.reportsOf('crash-loop:bot')[0]).toMatchObject({
      detail: 'bot exited 3× within 1m (last: exit code 1)',
      excerpt: expect.stringContaining('fatal: lost connection to the queue'),
    });
    await pm2.cli('stop', 'bot');
  });

  it('stops counting a loop once it resolved: a later single crash is no crash loop', async () => {
    const port = await closedPort();
    await pm2.startApps([{ name: 'bot', script: httpApp, env: { PORT: String(port) } }]);
    // a process that stays up stableMs ends the loop: wide enough that the kills below, each waiting
    // for pm2 on a loaded machine, still count as one loop
    const { incidents } = await watch(service('bot', '    restart: { maxRestarts: 3, window: 1m }\n'), {
      stableMs: 8000,
    });
    await until(() => client.attached(), 2000);
    // pids through warden's own connection: the pm2 CLI takes seconds to start on a loaded machine
    const pidOf = async () => (await client.describe('bot'))?.pid ?? null;
    const crashOnce = async (n: number) => {
      const pid = (await pidOf())!;
      process.kill(pid, 'SIGKILL');
      await until(() => incidents.reportsOf('service-crashed:bot').length === n, 5000, `crash ${n}`);
      await until(async () => ![null, pid].includes(await pidOf()), 5000, 'the new process');
    };
    for (let n = 1; n <= 3; n++) await crashOnce(n);
    await until(() => incidents.reportsOf('crash-loop:bot').length === 1, 5000, 'the crash loop');
    await until(() => incidents.resolutions.length === 2, 30_000, 'the loop to resolve');
    await crashOnce(4);
    expect(incidents.reportsOf('crash-loop:bot')).toHaveLength(1);
    expect(incidents.open.has('crash-loop:bot')).toBe(false);
  });

  it('opens crash-loop with the error log when pm2 gives up on an app that crashes at start', async () => {
    // pm2 counts a crash as unstable only within min_uptime × max_restarts of the app's creation: on a
    // loaded machine a node start alone can take a second, so the window must be wide
    await pm2.startApps([{ name: 'cron', script: crashAtStart, min_uptime: 10_000, max_restarts: 2 }]);
    const { incidents } = await watch(service('cron', '    restart: { maxRestarts: 10 }\n'));
    await until(() => incidents.reportsOf('crash-loop:cron').length >= 1, 20_000, 'crash-loop');
    const loop = incidents.reportsOf('crash-loop:cron')[0]!;
    // depending on timing warden saw pm2 give up, or attached after it had
    expect(loop.detail).toMatch(
      /^pm2 (gave up on cron after \d+ restarts \(restart overlimit\)|shows cron errored after \d+ restarts)/,
    );
    expect(loop.excerpt).toContain('fatal: DATABASE_URL is not set');
  });

  it('reports an app that was already errored when warden attached', async () => {
    // pm2 counts a crash as unstable only within min_uptime × max_restarts of the app's creation: on a
    // loaded machine a node start alone can take a second, so the window must be wide
    await pm2.startApps([{ name: 'cron', script: crashAtStart, min_uptime: 10_000, max_restarts: 1 }]);
    await until(async () => (await pm2.cli('jlist')).includes('"status":"errored"'), 20_000, 'errored');
    const { incidents } = await watch(service('cron'));
    await until(() => incidents.reportsOf('crash-loop:cron').length === 1, 10_000, 'crash-loop');
    expect(incidents.reportsOf('crash-loop:cron')[0]?.detail).toMatch(/^pm2 shows cron errored after \d+ restarts$/);
  });

  it('links a crash to a parent that is down', async () => {
    const port = await closedPort();
    await pm2.startApps([{ name: 'api', script: httpApp, env: { PORT: String(port) } }]);
    const { incidents } = await watch(
      `services:\n  main: { check: { tcp: { port: 5432 } } }\n  api: { check: { pm2: {} }, dependsOn: [main] }\n`,
      { parentDown: 'main' },
    );
    process.kill(await pm2.pidOf('api'), 'SIGKILL');
    await until(() => incidents.reportsOf('service-crashed:api').length === 1, 5000, 'service-crashed');
    expect(incidents.reportsOf('service-crashed:api')[0]?.parentKey).toBe('db-down:main');
  });
});
