import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from '../fixtures/fake-telegram.ts';
import { until } from '../helpers/until.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { startDaemonProcess } from '../store/helpers/daemon.ts';
import { admin, chat } from './helpers.ts';

// Issue 15: the update offset lives in the store, so warden killed between two polls neither runs
// a command twice nor misses one sent while it was down.
let fake: FakeTelegram;

afterEach(async () => {
  await fake.close();
});

describe('bot across a restart', () => {
  it('runs no command twice and misses none when warden is killed between two polls', async () => {
    const dir = tempDir();
    fake = await startFakeTelegram({ chats: [chat] });
    const configFile = path.join(dir, 'warden.config.yaml');
    fs.writeFileSync(
      configFile,
      `host: prod-1
store: { url: "sqlite:${path.join(dir, 'warden.db')}" }
http: { listen: "127.0.0.1:0" }
log: { file: "${path.join(dir, 'logs', 'warden.log')}" }
telegram: { apiRoot: "${fake.apiRoot}", chats: [{ id: ${chat} }], admins: [${admin.id}] }
`,
    );
    const first = await startDaemonProcess(configFile, { TELEGRAM_BOT_TOKEN: fake.token });
    await first.report('service-down:api');
    await fake.waitFor(() => fake.updateOffsets.length > 0, 30_000, 'the first poll');
    // the poll after the command never reaches Telegram's bookkeeping: Telegram still holds the
    // update, as it would when warden dies before its next getUpdates confirms it
    fake.failNext(1, { kind: 'hang' }, 'getUpdates');
    const ack = fake.sendText(admin, chat, '/ack 1');
    await fake.waitFor(() => fake.repliesTo(chat, ack).length > 0, 30_000, 'the /ack reply');
    await until(() => fake.failuresLeft('getUpdates') === 0, 30_000, 'the next poll');
    first.child.kill('SIGKILL');
    await first.exited;

    const sentWhileDown = fake.sendText(admin, chat, '/incidents');
    const polls = fake.updateOffsets.length;
    const second = await startDaemonProcess(configFile, { TELEGRAM_BOT_TOKEN: fake.token });
    await fake.waitFor(() => fake.repliesTo(chat, sentWhileDown).length > 0, 30_000, 'the /incidents reply');
    expect(fake.updateOffsets[polls]).toBe(2);
    expect(fake.repliesTo(chat, ack).map((m) => m.plainText)).toEqual([
      '👀 Acknowledged #1 service-down:api: reminders stop.',
    ]);
    expect(fake.repliesTo(chat, sentWhileDown)[0]!.plainText).toMatch(/#1 service-down:api · .* · 👀/);
    // one more command: the second run keeps going and still runs nothing twice
    const help = fake.sendText(admin, chat, '/help');
    await fake.waitFor(() => fake.repliesTo(chat, help).length > 0, 30_000, 'the /help reply');
    expect(fake.repliesTo(chat, ack)).toHaveLength(1);
    expect(fake.repliesTo(chat, sentWhileDown)).toHaveLength(1);
    expect(await second.stop()).toBe(0);
  }, 120_000);
});
