import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from '../fixtures/fake-telegram.ts';
import Database from 'better-sqlite3';
import { tempDir } from '../helpers/temp-dir.ts';
import { until } from '../helpers/until.ts';
import { writeConfig } from '../helpers/write-config.ts';
import { startDaemonProcess } from '../store/helpers/daemon.ts';

let fake: FakeTelegram;

/** Outbox rows the daemon (another process) has marked sent. */
function sentRows(dir: string): number {
  const db = new Database(path.join(dir, 'warden.db'), { readonly: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM outbox WHERE state = 'sent'").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

afterEach(async () => {
  await fake.close();
});

describe('an outage conversation across a SIGKILL of warden', () => {
  it('the restarted warden goes on editing the same page and sends one silent resolved reply', async () => {
    const dir = tempDir();
    fake = await startFakeTelegram({ chats: [42] });
    const configFile = writeConfig(dir, {
      store: `sqlite:${path.join(dir, 'warden.db')}`,
      telegram: { apiRoot: fake.apiRoot, chats: '[{ id: 42 }]' },
      lines: ['host: prod-1'],
    });
    const env = { TELEGRAM_BOT_TOKEN: fake.token };
    const aboutApi = () => fake.messages.filter((m) => /\bapi\b/.test(m.plainText));

    const first = await startDaemonProcess(configFile, env);
    await first.report('service-crashed:api');
    await fake.waitFor(() => aboutApi().length === 1, 15_000, 'the page');
    const page = aboutApi()[0]!;
    // killed once the page is recorded as sent (killed before, it is sent again: docs/operations.md)
    await until(() => sentRows(dir) === 1, 15_000, 'the page recorded as sent');
    first.child.kill('SIGKILL');
    await first.exited;

    // the outage goes on after the restart: its next part joins the page the first run sent
    const second = await startDaemonProcess(configFile, env);
    await second.report('crash-loop:api');
    await fake.waitFor(
      () => page.edits.some((e) => e.plainText.startsWith('🔴 Service is crash-looping · api')),
      15_000,
      'the page edited',
    );
    await second.resolve('crash-loop:api');
    await second.resolve('service-crashed:api');
    await fake.waitFor(() => aboutApi().some((m) => m.plainText.startsWith('✅')), 15_000, 'the resolved reply');
    await fake.waitFor(() => page.edits.at(-1)!.plainText.startsWith('✅'), 15_000, 'the page marked resolved');
    await second.stop();

    // one page; under it the escalation to critical (the page was a silent warning) and one silent ✅
    const [first_, ...replies] = aboutApi();
    expect(first_).toBe(page);
    expect(replies.map((m) => m.replyTo)).toEqual(replies.map(() => page.messageId));
    expect(replies.map((m) => m.plainText.split('\n')[0])).toEqual([
      '🔺 Now: Service is crash-looping · api',
      expect.stringMatching(/^✅ /),
    ]);
    expect(replies[1]!.disableNotification).toBe(true);
  });
});
