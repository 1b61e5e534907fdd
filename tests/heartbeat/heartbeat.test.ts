import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createHeartbeat } from '../../src/heartbeat/heartbeat.ts';
import type { Part } from '../../src/lib/part.ts';
import { startFakeTelegram, type FakeTelegram } from '../fixtures/fake-telegram.ts';
import { captureLogger } from '../helpers/logger.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { httpServer } from '../helpers/servers.ts';
import { until } from '../helpers/until.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { chat, startBotDaemon, type BotDaemon } from '../bot/helpers.ts';

let part: Part | null = null;
afterEach(async () => {
  await part?.stop();
  part = null;
});

async function pingServer() {
  const hits: string[] = [];
  let status = 200;
  const server = await httpServer((req, res) => {
    hits.push(req.url ?? '');
    res.statusCode = status;
    res.end('OK');
  });
  return { hits, url: `${server.url}/ping/9f8e7d6c-secret-uuid`, setStatus: (s: number) => (status = s) };
}

describe('heartbeat', () => {
  it('pings heartbeat.url each cycle while the daemon is healthy, and not while it is not', async () => {
    const server = await pingServer();
    const clock = new ManualClock();
    let healthy = false;
    part = createHeartbeat({
      url: server.url,
      isHealthy: () => healthy,
      clock,
      log: captureLogger().log,
      metrics: new Registry(),
      intervalMs: 60_000,
    });
    await part.start();
    await until(() => clock.sleeping > 0, 5000, 'the first cycle');
    expect(server.hits).toEqual([]);
    healthy = true;
    await clock.advance(60_000);
    await until(() => server.hits.length === 1 && clock.sleeping > 0, 5000, 'a ping');
    await clock.advance(60_000);
    await until(() => server.hits.length === 2, 5000, 'the next ping');
    expect(server.hits[0]).toBe('/ping/9f8e7d6c-secret-uuid');
  });

  it('logs a failure once per streak, counts every one in /metrics, and never logs the URL', async () => {
    const server = await pingServer();
    server.setStatus(503);
    const clock = new ManualClock();
    const metrics = new Registry();
    const { log, lines } = captureLogger();
    part = createHeartbeat({ url: server.url, isHealthy: () => true, clock, log, metrics, intervalMs: 60_000 });
    await part.start();
    await until(() => server.hits.length === 1 && clock.sleeping > 0, 5000, 'the first ping');
    await clock.advance(60_000);
    await until(() => server.hits.length === 2 && clock.sleeping > 0, 5000, 'the second ping');
    expect(await metrics.getSingleMetricAsString('warden_heartbeat_failures_total')).toContain(
      'warden_heartbeat_failures_total 2',
    );
    expect(lines().filter((l) => l.msg === 'heartbeat ping failed')).toHaveLength(1);
    expect(lines().find((l) => l.msg === 'heartbeat ping failed')).toMatchObject({
      reason: 'answered 503',
      failures: 1,
    });
    server.setStatus(200);
    await clock.advance(60_000);
    await until(() => lines().some((l) => l.msg === 'heartbeat delivered again'), 5000, 'the recovery');
    expect(JSON.stringify(lines())).not.toContain('secret-uuid');
    expect(await metrics.getSingleMetricAsString('warden_heartbeat_last_success_timestamp_seconds')).toMatch(
      /seconds \d{10}/,
    );
  });
});

describe('heartbeat in the daemon', () => {
  let fake: FakeTelegram;
  let warden: BotDaemon;
  afterEach(async () => {
    await warden.stop();
    await fake.close();
  });

  it('counts failed pings in /metrics without opening an incident or sending an alert', async () => {
    fake = await startFakeTelegram({ chats: [chat] });
    const server = await pingServer();
    server.setStatus(500);
    warden = await startBotDaemon({
      fake,
      dir: tempDir(),
      extra: `heartbeat: { url: "${server.url}" }`,
      tuning: { tickMs: 100, bot: { pollTimeoutSec: 1, heartbeatIntervalMs: 50 } },
    });
    const { port } = warden.daemon.httpAddress();
    const failures = async (): Promise<number> => {
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return Number(/^warden_heartbeat_failures_total (\d+)$/m.exec(metrics)?.[1] ?? 0);
    };
    await until(async () => (await failures()) >= 3, 10_000, 'three failed pings counted');
    expect(await warden.store.db.selectFrom('incidents').selectAll().execute()).toEqual([]);
    expect(fake.messages).toEqual([]);
  });
});
