import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.ts';
import { openStore } from '../../src/store/db.ts';
import { enqueueOutbox, markRetry } from '../../src/store/outbox.ts';
import { recordRunStart } from '../../src/store/runs.ts';
import { createHarness } from '../alerts/helpers/harness.ts';
import { until } from '../helpers/until.ts';
import { startFakeTelegram, type FakeTelegram } from '../fixtures/fake-telegram.ts';
import { captureIo } from '../helpers/io.ts';
import { tempDir } from '../helpers/temp-dir.ts';

let fake: FakeTelegram;
afterEach(() => fake.close());

describe('warden status: incidents and alerts', () => {
  it('shows open incidents, the outbox backlog, undelivered alerts and chats that refused the bot', async () => {
    const dir = tempDir();
    fake = await startFakeTelegram({ chats: [42, { id: 7, blocked: true }] });
    const storeUrl = `sqlite:${path.join(dir, 'warden.db')}`;
    const h = await createHarness({ fake, dir, storeUrl, telegram: 'chats: [{ id: 42 }, { id: 7 }]' });
    await h.start();
    await h.incidents.report('service-down:api', { detail: 'connection refused' });
    await until(
      async () =>
        (await h.store.db.selectFrom('outbox').select('state').where('state', '=', 'pending').execute()).length === 0,
    );
    await h.stop();
    // an alert stuck for 10 minutes
    const store = await openStore(storeUrl);
    const [id] = await enqueueOutbox(
      store.db,
      [{ chatId: '42', thread: null, kind: 'message', payload: '{}' }],
      Date.now() - 600_000,
    );
    await markRetry(store.db, [id!], {
      nextAttemptAt: Date.now(),
      error: 'Telegram unreachable (connect ECONNREFUSED)',
      countAttempt: true,
    });
    await store.close();

    const configFile = path.join(dir, 'warden.config.yaml');
    fs.writeFileSync(configFile, `store: { url: "${storeUrl}" }\ntelegram:\n  chats: [{ id: 42 }, { id: 7 }]\n`);
    const io = captureIo({ TELEGRAM_BOT_TOKEN: fake.token });
    expect(await main(['status', '--config', configFile], io)).toBe(0);
    const text = io.stdout.join('\n');
    expect(text).toMatch(
      /Open incidents:\n {2}#1 critical service-down:api +open since .* \(1×\) — connection refused\n {2}#2 warning +alert-delivery:7 +open/,
    );
    expect(text).toContain('outbox: 1 pending, oldest 10m old');
    expect(text).toMatch(
      /chat 42: 1 pending since .* — UNDELIVERED for over 5m — last error: Telegram unreachable \(connect ECONNREFUSED\)/,
    );
    expect(text).toMatch(/✗ not delivered \(1× in the last day, last at .*\): chat 7: bot was blocked by the user/);

    const json = captureIo({});
    expect(await main(['status', '--json', '--config', configFile], json)).toBe(0);
    const parsed = JSON.parse(json.stdout.join('\n')) as { alerts: Record<string, unknown>; incidents: unknown[] };
    expect(parsed.alerts).toMatchObject({ mode: 'dry-run', pending: 1, undelivered: 1 });
    expect(parsed.incidents).toHaveLength(2);
    expect(json.stdout.join('\n')).toContain('dry-run');
  });

  it('reports the alert mode the daemon runs with, not the one of the shell it is asked from', async () => {
    const dir = tempDir();
    fake = await startFakeTelegram();
    const storeUrl = `sqlite:${path.join(dir, 'warden.db')}`;
    const configFile = path.join(dir, 'warden.config.yaml');
    fs.writeFileSync(configFile, `store: { url: "${storeUrl}" }\ntelegram:\n  chats: [{ id: 42 }]\n`);
    const status = async (env: Record<string, string>) => {
      const io = captureIo(env);
      expect(await main(['status', '--config', configFile], io)).toBe(0);
      return io.stdout.join('\n');
    };
    const first = await status({});
    expect(first).toContain('never started; alerts in dry-run (no TELEGRAM_BOT_TOKEN here)');
    expect(first).toContain(`${path.join(dir, 'backups')}: does not exist`);

    const store = await openStore(storeUrl);
    await recordRunStart(store, { at: Date.now(), pid: 4242, host: os.hostname(), version: '0', alerts: 'telegram' });
    expect(await status({})).toMatch(/running \(pid 4242, since .*\); alerts to 1 Telegram chat\(s\)/);

    await recordRunStart(store, { at: Date.now(), pid: 4343, host: os.hostname(), version: '0', alerts: 'dry-run' });
    await store.close();
    expect(await status({ TELEGRAM_BOT_TOKEN: fake.token })).toContain(
      'alerts in dry-run (the daemon has no TELEGRAM_BOT_TOKEN): they are written to its log',
    );
  });
});
