import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { systemClock, type Clock } from '../../src/lib/clock.ts';
import { createPm2Client } from '../../src/pm2/client.ts';
import type { Pm2Client, Pm2ProcessEvent } from '../../src/pm2/types.ts';
import { captureLogger } from '../helpers/logger.ts';
import { appsDir, createPm2Home } from '../helpers/pm2.ts';
import { closedPort } from '../helpers/servers.ts';
import { until } from '../helpers/until.ts';

const pm2 = createPm2Home();
const secret = 'hunter2-super-secret-value';
const logger = captureLogger();
const clients: Pm2Client[] = [];

function client(clock: Clock = systemClock): Pm2Client {
  const c = createPm2Client({
    home: pm2.home,
    log: logger.log,
    clock,
    probeIntervalMs: 100,
    callTimeoutMs: 1000,
  });
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of clients.splice(0)) await c.stop();
});
afterAll(async () => {
  await pm2.kill();
  // pm2 events and describe output carry the app's environment: none of it may reach the log
  expect(JSON.stringify(logger.lines())).not.toContain(secret);
});

describe('pm2 client', () => {
  it('never starts a daemon itself, and attaches when one appears', async () => {
    // the probe loop sleeps between looks: a third sleep means it has looked twice more since start
    let sleeps = 0;
    const counting: Clock = {
      now: () => systemClock.now(),
      sleep: (ms, signal) => {
        sleeps += 1;
        return systemClock.sleep(ms, signal);
      },
    };
    const c = client(counting);
    const attaches: number[] = [];
    c.onAttach(() => attaches.push(Date.now()));
    await c.start();
    expect(c.attached()).toBe(false);
    await until(() => sleeps >= 3, 10_000, 'two probes without a daemon');
    expect(fs.existsSync(path.join(pm2.home, 'rpc.sock'))).toBe(false);
    await expect(c.describe('api')).rejects.toThrow(`pm2 daemon not running (PM2_HOME=${pm2.home})`);

    await pm2.startDaemon();
    await until(() => c.attached(), 5000, 'attach');
    expect(attaches).toHaveLength(1);
    expect(await c.list()).toEqual([]);
  });

  it('describes, lists and restarts apps, keeping only named fields', async () => {
    await pm2.startDaemon();
    const port = await closedPort();
    await pm2.startApps([
      { name: 'api', script: path.join(appsDir, 'http-app.mjs'), env: { PORT: String(port), API_TOKEN: secret } },
    ]);
    const c = client();
    await c.start();
    const app = await c.describe('api');
    expect(app).toMatchObject({ name: 'api', status: 'online', restarts: 0, autorestart: true });
    expect(app?.pid).toBeGreaterThan(0);
    expect(app?.errLogPath).toBe(path.join(pm2.home, 'logs', 'api-error.log'));
    expect(JSON.stringify(app)).not.toContain(secret);
    expect((await c.list()).map((a) => a.name)).toEqual(['api']);
    expect(await c.describe('nope')).toBeNull();

    await c.restart('api');
    expect((await c.describe('api'))?.restarts).toBe(1);
    expect(c.claimRestartRequest('api')).toBe(true);
    expect(c.claimRestartRequest('api')).toBe(false);
    await expect(c.restart('nope')).rejects.toThrow('pm2 restart nope: process or namespace not found');
  });

  it('waits out the app kill_timeout when restarting an app that no longer responds', async () => {
    await pm2.startDaemon();
    const port = await closedPort();
    await pm2.startApps([
      { name: 'frozen', script: path.join(appsDir, 'http-app.mjs'), env: { PORT: String(port) }, kill_timeout: 2500 },
    ]);
    const c = client();
    await c.start();
    expect((await c.describe('frozen'))?.killTimeoutMs).toBe(2500);
    process.kill(await pm2.pidOf('frozen'), 'SIGSTOP');
    const started = Date.now();
    // the call timeout is 1000 ms; pm2 answers only after SIGKILL, 2500 ms in
    await c.restart('frozen');
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(await c.describe('frozen')).toMatchObject({ status: 'online', restarts: 1 });
  });

  it('relays exits as they happen', async () => {
    await pm2.startDaemon();
    // its own app, so the test runs alone too (-t)
    await pm2.startApps([
      {
        name: 'exiter',
        script: path.join(appsDir, 'http-app.mjs'),
        env: { PORT: String(await closedPort()), API_TOKEN: secret },
      },
    ]);
    const c = client();
    const events: Pm2ProcessEvent[] = [];
    c.onEvent((e) => events.push(e));
    await c.start();
    process.kill(await pm2.pidOf('exiter'), 'SIGKILL');
    // the client has no poll for exits: an exit event can only come from pm2's bus (the latency is
    // measured in bench/supervision-crash-latency.ts)
    await until(() => events.some((e) => e.event === 'exit' && e.app.name === 'exiter'), 10_000, 'the exit event');
    const exit = events.find((e) => e.event === 'exit' && e.app.name === 'exiter')!;
    expect(exit.app).toMatchObject({ name: 'exiter', status: 'stopped' });
    expect(JSON.stringify(events)).not.toContain(secret);
  });

  it('notices the daemon going away, fails calls fast, and re-attaches when it comes back', async () => {
    await pm2.startDaemon();
    const c = client();
    let detaches = 0;
    let attaches = 0;
    c.onDetach(() => (detaches += 1));
    c.onAttach(() => (attaches += 1));
    await c.start();
    expect(c.attached()).toBe(true);

    await pm2.cli('kill');
    await until(() => !c.attached(), 3000, 'detach');
    expect(detaches).toBe(1);
    // refused at once: a call that waited out the timeout would say "got no answer within 1000ms"
    await expect(c.describe('api')).rejects.toThrow('pm2 daemon not running');

    await pm2.startDaemon();
    await until(() => c.attached(), 5000, 're-attach');
    expect(attaches).toBe(2);
    const events: string[] = [];
    c.onEvent((e) => events.push(`${e.app.name}:${e.event}`));
    await pm2.startApps([{ name: 'again', script: path.join(appsDir, 'crash-at-start.mjs'), autorestart: false }]);
    await until(() => events.includes('again:exit'), 3000, 'events from the new daemon');
  });
});
