import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/db.ts';
import { startFakeTelegram, type FakeTelegram } from '../fixtures/fake-telegram.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { startDaemonProcess, untilAlertInFlight } from '../store/helpers/daemon.ts';

let fake: FakeTelegram;
beforeEach(async () => {
  fake = await startFakeTelegram({ chats: [42] });
});
afterEach(() => fake.close());

describe('a send cut off by a crash', () => {
  it('is sent again after the restart, saying so, and counted in /metrics', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'warden.db');
    const config = path.join(dir, 'warden.config.yaml');
    fs.writeFileSync(
      config,
      [
        `store: { url: "sqlite:${file}" }`,
        'http: { listen: "127.0.0.1:0" }',
        `log: { file: "${path.join(dir, 'warden.log')}" }`,
        'telegram:',
        '  token: ${TELEGRAM_BOT_TOKEN}',
        `  apiRoot: ${fake.apiRoot}`,
        '  chats: [{ id: 42 }]',
      ].join('\n'),
    );
    const env = { TELEGRAM_BOT_TOKEN: fake.token };
    const first = await startDaemonProcess(config, env);
    // the send hangs at Telegram and never lands: warden dies not knowing its outcome
    fake.failNext(1, { kind: 'hang' }, 'sendMessage');
    await first.report('disk-usage:/');
    await untilAlertInFlight(`sqlite:${file}`);
    await fake.waitFor(() => fake.received.includes('sendMessage'), 30_000, 'the send at Telegram');
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const second = await startDaemonProcess(config, env);
    await second.waitForLog((l) => l.msg === 'alert delivered' && l.key === 'disk-usage:/', 'delivery recorded');
    const copies = fake.messages.filter((m) => m.plainText.startsWith('🟠 Disk filling up · /'));
    expect(copies).toHaveLength(1);
    expect(copies[0]!.plainText).toMatch(/\n\n↻ sent again: warden restarted while sending$/);
    expect(await second.metrics()).toMatch(/^warden_alerts_resent_total 1$/m);
    expect(
      second
        .logs()
        .find((l) => l.msg === 'alerts were being sent when warden stopped; sending them again, marked as such'),
    ).toMatchObject({ rows: 1 });
    expect(await second.stop()).toBe(0);

    const store = await openStore(`sqlite:${file}`);
    try {
      // (other watchers may have queued alerts of their own meanwhile; only the first row was cut off)
      const rows = await store.db.selectFrom('outbox').selectAll().orderBy('id').execute();
      expect(rows[0]).toMatchObject({ state: 'sent', resent: 1, sending_at: null });
      expect(rows.slice(1).every((r) => r.resent === 0)).toBe(true);
    } finally {
      await store.close();
    }
  });
});
