import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SentMessage } from '../fixtures/fake-telegram.ts';
import { appsDir } from '../helpers/pm2.ts';
import { httpServer } from '../helpers/servers.ts';
import { until } from '../helpers/until.ts';
import { usePm2AndTelegram } from '../supervision/helpers/warden-on-pm2.ts';

// The contract every watcher keeps: an incident opened by one run of warden is resolved by the
// next one once the condition is clear, and the alert it sent is edited. Nothing "open" lives
// only in a watcher's memory.
const { pm2, chat, fake, startWarden, stopWarden } = usePm2AndTelegram();

const alertTitled = (title: string): SentMessage | undefined =>
  fake()
    .messagesTo(chat)
    .find((m) => m.plainText.startsWith(title));

async function waitForAlert(title: string): Promise<SentMessage> {
  await fake().waitFor(() => alertTitled(title) !== undefined, 15_000, title);
  return alertTitled(title)!;
}

/** The messages that start a conversation (not replies under one). */
const pages = (): SentMessage[] =>
  fake()
    .messagesTo(chat)
    .filter((m) => m.replyTo === null);

/** What the message shows now: its last edit, or itself. */
const shown = (m: SentMessage): string => (m.edits.at(-1) ?? m).plainText;

async function waitForResolvedEdit(alert: SentMessage): Promise<void> {
  await fake().waitFor(
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
    expect(
      fake()
        .messagesTo(chat)
        .filter((m) => m.plainText.startsWith('🟠 Host memory low')),
    ).toHaveLength(1);
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
    // one outage, one page: the crash loop is its next chapter
    const page = await waitForAlert('🟠 Service crashed');
    await fake().waitFor(() => shown(page).startsWith('🔴 Service is crash-looping'), 15_000, 'the crash-loop edit');
    await stopWarden();
    await startWarden(services, { stableMs: 500 });
    // the page reads resolved only once every part of the outage is
    await waitForResolvedEdit(page);
    expect(pages()).toEqual([page]);
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
    const page = await waitForAlert('🔴 Service down · api');
    await fake().waitFor(() => shown(page).startsWith('🔴 Restarts gave up'), 15_000, 'the give-up edit');
    await stopWarden();
    healthy = true;
    await startWarden(services);
    // the page reads resolved only once every part of the outage is
    await waitForResolvedEdit(page);
    expect(pages()).toEqual([page]);
  });
});
