import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram, type SentMessage } from '../fixtures/fake-telegram.ts';
import { appsDir, createPm2Home } from '../helpers/pm2.ts';
import { until } from '../helpers/until.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { admin, chat, startBotDaemon, type BotDaemon } from './helpers.ts';

// Issue 15 with a real pm2 daemon in a temp PM2_HOME: Restart now, /restart with its confirmation, /logs.
const pm2 = createPm2Home();
let fake: FakeTelegram;
let warden: BotDaemon;

beforeAll(async () => {
  await pm2.startDaemon();
  await pm2.startApps([{ name: 'api', script: path.join(appsDir, 'chatty-app.mjs'), env: { LINES: '100' } }]);
  const outLog = path.join(pm2.home, 'logs', 'api-out.log');
  await until(() => fs.existsSync(outLog) && fs.readFileSync(outLog, 'utf8').includes('ready'), 10_000, 'the app log');
});
afterAll(async () => {
  await pm2.kill();
});
beforeEach(async () => {
  fake = await startFakeTelegram({ chats: [chat] });
  warden = await startBotDaemon({
    fake,
    dir: tempDir(),
    env: { PM2_HOME: pm2.home },
    extra: `services:
  api: { pm2: api, check: { tcp: { port: 1 } }, interval: 1d }`,
  });
  await fake.waitFor(() => fake.commandSets.length > 0, 5000, 'the bot to start');
  await until(() => warden.lines().some((l) => l.msg === 'attached to pm2'), 5000, 'pm2 attached');
});
afterEach(async () => {
  await warden.stop();
  await fake.close();
});

const restarts = async (): Promise<number> => {
  const list = JSON.parse(await pm2.cli('jlist')) as Array<{ name: string; pm2_env: { restart_time: number } }>;
  return list.find((p) => p.name === 'api')?.pm2_env.restart_time ?? -1;
};

async function replyTo(text: string): Promise<SentMessage> {
  const id = fake.sendText(admin, chat, text);
  await fake.waitFor(
    () => fake.repliesTo(chat, id).length > 0 || confirmFor(text) !== undefined,
    5000,
    `a reply to ${text}`,
  );
  return fake.repliesTo(chat, id)[0] ?? confirmFor(text)!;
}
const confirmFor = (text: string) =>
  text.startsWith('/restart')
    ? fake.messagesTo(chat).find((m) => m.plainText.startsWith('Restart api now'))
    : undefined;

async function press(message: SentMessage, data: string) {
  const id = fake.pressButton(admin, message, data);
  await fake.waitFor(() => fake.answerTo(id) !== undefined, 15_000, `the answer to ${data}`);
  return fake.answerTo(id)!;
}

describe('bot with pm2', () => {
  it('Restart now restarts the pm2 app and the alert shows who pressed it', async () => {
    const change = await warden.daemon.incidents.report('service-down:api', { detail: 'connection refused' });
    await fake.waitFor(() => fake.messagesTo(chat).length > 0, 5000, 'the alert');
    const alert = fake.messagesTo(chat)[0]!;
    expect(JSON.stringify(alert.replyMarkup)).toContain(`rst:${change.incident.id}`);
    const before = await restarts();
    expect(await press(alert, `rst:${change.incident.id}`)).toMatchObject({ text: 'Restarted.' });
    expect(await restarts()).toBe(before + 1);
    await fake.waitFor(() => alert.edits.length > 0, 5000, 'the edit');
    expect(alert.edits.at(-1)!.plainText).toMatch(/🛠 restarted by @alice: pm2 restart api at \d\d:\d\d/);
  });

  it('/restart asks to confirm with a button; Cancel does nothing, the button restarts', async () => {
    const before = await restarts();
    const first = await replyTo('/restart api');
    expect(first.plainText).toBe('Restart api now (pm2 restart api)?');
    expect(first.replyMarkup).toEqual({
      inline_keyboard: [
        [
          { text: '🔄 Restart api', callback_data: 'rs:api' },
          { text: 'Cancel', callback_data: 'rx' },
        ],
      ],
    });
    expect(await press(first, 'rx')).toMatchObject({ text: 'Cancelled; nothing was restarted.' });
    expect(first.edits.at(-1)!.plainText).toBe('Cancelled; nothing was restarted.');
    expect(await restarts()).toBe(before);

    expect(await press(first, 'rs:api')).toMatchObject({ text: 'Restarted.' });
    expect(await restarts()).toBe(before + 1);
    expect(first.edits.at(-1)!.plainText).toMatch(/^🔄 api restarted by @alice at \d\d:\d\d \(pm2 restart api\)\.$/);
  });

  it('/logs api 50 returns the newest lines with secrets redacted, within 4096 characters', async () => {
    const reply = await replyTo('/logs api 50');
    expect(reply.text.length).toBeLessThanOrEqual(4096);
    expect(reply.plainText).toContain('api: last 50 lines of api-out.log');
    expect(reply.plainText).toContain('ready');
    expect(reply.plainText).toContain('line 95 connecting to postgres://app:[REDACTED]@db.internal:5432/app');
    expect(reply.plainText).toContain('password=[REDACTED]');
    expect(reply.plainText).not.toMatch(/s3cretpw|hunter2/);
    expect(reply.plainText).not.toContain('line 60 ');
  });
});
