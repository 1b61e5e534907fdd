import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { createDaemon, type Daemon, type DaemonDeps } from '../../src/daemon.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { fastTuning, noPace } from '../alerts/helpers/harness.ts';
import { startFakeTelegram, type FakeTelegram, type SentMessage } from '../fixtures/fake-telegram.ts';
import { captureLogger } from '../helpers/logger.ts';
import { appsDir, createPm2Home } from '../helpers/pm2.ts';
import { httpServer } from '../helpers/servers.ts';
import { until } from '../helpers/until.ts';
import { tempDir } from '../helpers/temp-dir.ts';

// The contract every watcher keeps: an incident opened by one run of warden is resolved by the
// next one once the condition is clear, and the alert it sent is edited. Nothing "open" lives
// only in a watcher's memory.
const pm2 = createPm2Home();
const chat = 42;
let fake: FakeTelegram;
let dir: string;
let daemon: Daemon | null = null;
let store: Store | null = null;

beforeAll(async () => {
  await pm2.startDaemon();
});
afterAll(async () => {
  await pm2.kill();
});
beforeEach(async () => {
  fake = await startFakeTelegram({ chats: [chat] });
  dir = tempDir();
});
afterEach(async () => {
  await stopWarden();
  await fake.close();
  await pm2.cli('delete', 'all').catch(() => undefined);
});

/** One run of warden on the test's store; a second call is the next run (a restart). */
async function startWarden(services: string, supervision: DaemonDeps['supervision'] = {}): Promise<void> {
  const yaml = `host: prod-1
timezone: UTC
store: { url: "sqlite:${path.join(dir, 'warden.db')}" }
http: { listen: "127.0.0.1:0" }
telegram: { apiRoot: "${fake.apiRoot}", chats: [{ id: ${chat} }] }
services:
${services || '  {}'}`;
  const { config } = parseConfig(yaml, 'warden.config.yaml', { env: { TELEGRAM_BOT_TOKEN: fake.token }, baseDir: dir });
  store = await openStore(config.store.url);
  daemon = createDaemon({
    config,
    store,
    log: captureLogger().log,
    clock: systemClock,
    version: 'test',
    alerts: { pace: noPace, tuning: fastTuning },
    supervision: { jitterRatio: 0, pm2ProbeIntervalMs: 200, hostHealth: false, ...supervision },
  });
  await daemon.start();
}

async function stopWarden(): Promise<void> {
  await daemon?.stop();
  await store?.close();
  daemon = null;
  store = null;
}

const alertTitled = (title: string): SentMessage | undefined =>
  fake.messagesTo(chat).find((m) => m.plainText.startsWith(title));

async function waitForAlert(title: string): Promise<SentMessage> {
  await fake.waitFor(() => alertTitled(title) !== undefined, 15_000, title);
  return alertTitled(title)!;
}

async function waitForResolvedEdit(alert: SentMessage): Promise<void> {
  await fake.waitFor(
    () => alert.edits.some((e) => e.plainText.startsWith('✅ Resolved')),
    15_000,
    `the resolved edit of "${alert.plainText.split('\n')[0]}"`,
  );
}

describe('incidents outlive a restart of warden', () => {
  it('host-memory opened in one run resolves in the next once memory is fine', async () => {
    const gb = 1024 ** 3;
    const host = (availableRatio: number) => ({
      intervalMs: 100,
      samples: 1,
      read: () => Promise.resolve({ totalBytes: 4 * gb, availableBytes: availableRatio * 4 * gb, load1: 0, cores: 2 }),
    });
    await startWarden('', { hostHealth: host(0.05) });
    const alert = await waitForAlert('🟠 Host memory low');
    await stopWarden();
    await startWarden('', { hostHealth: host(0.5) });
    await waitForResolvedEdit(alert);
    expect(fake.messagesTo(chat).filter((m) => m.plainText.startsWith('🟠 Host memory low'))).toHaveLength(1);
  });

  it('service-crashed and crash-loop opened in one run resolve in the next once the app stays up', async () => {
    await pm2.startApps([{ name: 'bot', script: path.join(appsDir, 'http-app.mjs'), env: { PORT: '0' } }]);
    const services = `  bot:
    pm2: bot
    check: { pm2: {} }
    interval: 1h
    restart: { strategy: none, maxRestarts: 2, window: 10m }
`;
    // no stable stretch in the first run: it ends with both incidents open
    await startWarden(services, { stableMs: 600_000 });
    for (let crash = 1; crash <= 2; crash++) {
      const pid = await pm2.pidOf('bot');
      process.kill(pid, 'SIGKILL');
      await until(async () => (await pm2.pidOf('bot').catch(() => pid)) !== pid, 10_000, 'pm2 to restart bot');
    }
    const crashed = await waitForAlert('🟠 Service crashed');
    const loop = await waitForAlert('🔴 Service is crash-looping');
    await stopWarden();
    await startWarden(services, { stableMs: 500 });
    await waitForResolvedEdit(crashed);
    await waitForResolvedEdit(loop);
  });

  it('service-down and restart-gave-up opened in one run resolve in the next once the service is healthy', async () => {
    let healthy = false;
    const { url } = await httpServer((_req, res) => {
      res.statusCode = healthy ? 200 : 503;
      res.end(healthy ? 'ok' : 'migrations pending');
    });
    const services = `  api:
    check: { http: { url: "${url}/healthz", timeout: 500ms } }
    interval: 1s
    failureThreshold: 1
    restart: { strategy: command, command: "true", backoff: 50ms..100ms, maxRestarts: 1, window: 10m }
`;
    await startWarden(services);
    const down = await waitForAlert('🔴 Service down · api');
    const gaveUp = await waitForAlert('🔴 Restarts gave up');
    await stopWarden();
    healthy = true;
    await startWarden(services);
    await waitForResolvedEdit(down);
    await waitForResolvedEdit(gaveUp);
  });
});
