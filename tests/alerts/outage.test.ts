import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram, type SentMessage } from '../fixtures/fake-telegram.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { until } from '../helpers/until.ts';
import { writeConfig } from '../helpers/write-config.ts';
import { startDaemonProcess } from '../store/helpers/daemon.ts';

let fake: FakeTelegram;

afterEach(async () => {
  await fake.close();
});

/** The daemon's outbox, read beside it (the daemon runs in another process). */
function outbox(dir: string): Array<{ id: number; state: string; attempts: number }> {
  const db = new Database(path.join(dir, 'warden.db'), { readonly: true });
  try {
    return db.prepare('SELECT id, state, attempts FROM outbox ORDER BY id').all() as Array<{
      id: number;
      state: string;
      attempts: number;
    }>;
  } finally {
    db.close();
  }
}

const subjects = (m: SentMessage): number[] => [...m.plainText.matchAll(/svc-(\d+)\b/g)].map((x) => Number(x[1]));

describe('outage and SIGKILL (acceptance)', () => {
  it('delivers 50 incidents opened while Telegram was unreachable and warden was SIGKILLed, each once, in order', async () => {
    const dir = tempDir();
    fake = await startFakeTelegram({ chats: [42, -1001], rateLimits: {} });
    await fake.down();
    const configFile = writeConfig(dir, {
      store: `sqlite:${path.join(dir, 'warden.db')}`,
      telegram: { apiRoot: fake.apiRoot, chats: '[{ id: 42 }, { id: -1001 }]' },
      lines: ['host: prod-1'],
    });

    const first = await startDaemonProcess(configFile, { TELEGRAM_BOT_TOKEN: fake.token });
    for (let i = 1; i <= 25; i++) await first.report(`service-down:svc-${i}`);
    // killed while it is retrying against the unreachable API
    await until(() => outbox(dir).some((row) => row.attempts > 0), 15_000, 'a failed delivery attempt');
    const triedBeforeKill = Math.max(...outbox(dir).map((row) => row.attempts));
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await startDaemonProcess(configFile, { TELEGRAM_BOT_TOKEN: fake.token });
    for (let i = 26; i <= 50; i++) await second.report(`service-down:svc-${i}`);
    // the restarted daemon resumed the first run's rows (and still cannot deliver them)
    await until(
      () => outbox(dir).some((row) => row.attempts > triedBeforeKill),
      15_000,
      "the second run retrying the first run's rows",
    );
    expect(fake.messages).toHaveLength(0);
    await fake.up();

    const all = Array.from({ length: 50 }, (_, i) => i + 1);
    for (const chat of [42, -1001]) {
      await fake.waitFor(
        () => fake.messagesTo(chat).flatMap(subjects).length >= 50,
        20_000,
        `50 incidents in chat ${chat}`,
      );
      // each exactly once, in opening order
      expect(fake.messagesTo(chat).flatMap(subjects)).toEqual(all);
      expect(fake.messagesTo(chat).some((m) => m.plainText.includes('warden restarted after an unclean stop'))).toBe(
        true,
      );
    }
    // nothing left to send: what the fake has is all there will be
    await until(() => outbox(dir).every((row) => row.state !== 'pending'), 15_000, 'no pending outbox row');
    for (const chat of [42, -1001]) expect(fake.messagesTo(chat).flatMap(subjects)).toEqual(all);
    expect(fake.calls.filter((c) => c.status === 429)).toHaveLength(0);

    expect(await second.stop()).toBe(0);
  }, 240_000);
});
