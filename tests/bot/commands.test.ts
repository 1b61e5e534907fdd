import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { activeSilences } from '../../src/store/silences.ts';
import { startFakeTelegram, type FakeTelegram, type SentMessage } from '../fixtures/fake-telegram.ts';
import { until } from '../helpers/until.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { admin, chat, startBotDaemon, stranger, type BotDaemon } from './helpers.ts';

// Issue 15: commands from the phone, against the real daemon and the fake Bot API.
let fake: FakeTelegram;
let warden: BotDaemon;

beforeEach(async () => {
  fake = await startFakeTelegram({ chats: [chat, admin.id, stranger.id] });
  warden = await startBotDaemon({
    fake,
    dir: tempDir(),
    extra: `services:
  api: { check: { tcp: { port: 1 } }, interval: 1h }
  worker: { check: { tcp: { port: 1 } }, interval: 1h }`,
  });
  await fake.waitFor(() => fake.commandSets.length > 0, 5000, 'setMyCommands');
});
afterEach(async () => {
  await warden.stop();
  await fake.close();
});

/** Sends `text` as `from` and waits for the bot's reply to it. */
async function replyTo(chatId: number, text: string, from = admin): Promise<SentMessage> {
  const id = fake.sendText(from, chatId, text);
  await fake.waitFor(() => fake.repliesTo(chatId, id).length > 0, 5000, `a reply to ${text}`);
  return fake.repliesTo(chatId, id)[0]!;
}

describe('bot commands', () => {
  it('registers its commands at start, in the configured locale', () => {
    expect(fake.commandSets[0]!.commands.map((c) => c.command)).toEqual([
      'status',
      'incidents',
      'ack',
      'silence',
      'unsilence',
      'restart',
      'backup',
      'logs',
      'help',
    ]);
    expect(fake.commandSets[0]!.commands[0]!.description).toMatch(/services, open incidents/);
  });

  it("refuses a non-admin's /status without any data, once, and logs it; an admin gets the status screen", async () => {
    await warden.daemon.incidents.report('service-down:api', { detail: 'connection refused' });
    const refusal = await replyTo(chat, '/status', stranger);
    expect(refusal.plainText).toBe('🚫 Sorry, only warden admins can use this bot here.');
    expect(refusal.plainText).not.toMatch(/api|prod-1|incident/);
    const refused = warden.lines().filter((l) => l.msg === 'bot command refused');
    expect(refused[0]).toMatchObject({ userId: stranger.id, what: '/status', reason: 'not in telegram.admins' });

    // a second attempt is logged but not answered again; the admin's command after it is
    fake.sendText(stranger, chat, '/incidents');
    const status = await replyTo(chat, '/status');
    expect(warden.lines().filter((l) => l.msg === 'bot command refused')).toHaveLength(2);
    expect(status.plainText).toContain('📋 warden on prod-1');
    expect(status.plainText).toMatch(/❌ api|⏳ api/);
    expect(status.plainText).toContain('service-down:api');
    expect(fake.messagesTo(chat).filter((m) => m.plainText.startsWith('🚫'))).toHaveLength(1);
  });

  it('refuses an admin writing from a chat that is not configured', async () => {
    const refusal = await replyTo(admin.id, '/status');
    expect(refusal.plainText).toMatch(/^🚫/);
    expect(warden.lines().find((l) => l.msg === 'bot command refused')).toMatchObject({
      reason: 'chat not in telegram.chats',
    });
  });

  it('ignores a command addressed to another bot and answers one addressed to itself', async () => {
    const ignored = fake.sendText(admin, chat, '/status@other_bot');
    const reply = await replyTo(chat, '/help@warden_test_bot');
    expect(reply.plainText).toMatch(/^warden bot/);
    expect(fake.repliesTo(chat, ignored)).toEqual([]);
    expect(fake.messagesTo(chat)).toHaveLength(1);
  });

  it('lists, acknowledges, silences and unsilences through the same paths as the CLI', async () => {
    const change = await warden.daemon.incidents.report('service-down:api', { detail: 'connection refused' });
    const id = change.incident.id;
    expect((await replyTo(chat, '/incidents')).plainText).toContain(`#${id} service-down:api`);

    const ack = await replyTo(chat, `/ack ${id}`);
    expect(ack.plainText).toBe(`👀 Acknowledged #${id} service-down:api: reminders stop.`);
    expect(await warden.daemon.incidents.stateOf('service-down:api')).toBe('acknowledged');
    const incident = await warden.store.db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
    expect(incident?.acknowledged_by).toBe('@alice');
    expect((await replyTo(chat, `/ack ${id}`)).plainText).toBe(`#${id} is already acknowledged by @alice.`);
    expect((await replyTo(chat, '/ack 999')).plainText).toMatch(/^No open incident #999/);

    expect((await replyTo(chat, '/silence nope 1h')).plainText).toMatch(/^"nope" is not a service/);
    expect((await replyTo(chat, '/silence api soon')).plainText).toMatch(/not a duration/);
    expect((await replyTo(chat, '/silence api 30m')).plainText).toMatch(/^🔕 Silenced api for 30m, until/);
    const silences = await activeSilences(warden.store, Date.now());
    expect(silences).toMatchObject([{ target: 'api', reason: 'by @alice from Telegram' }]);
    expect((await replyTo(chat, '/unsilence api')).plainText).toBe('🔔 Silence on api lifted.');
    expect(await activeSilences(warden.store, Date.now())).toEqual([]);
    expect((await replyTo(chat, '/unsilence api')).plainText).toBe('api was not silenced.');
  });

  it('says usage for bad arguments, and that there is nothing to back up', async () => {
    expect((await replyTo(chat, '/ack')).plainText).toBe('Usage: /ack ID');
    expect((await replyTo(chat, '/logs')).plainText).toBe('Usage: /logs SERVICE [N]');
    expect((await replyTo(chat, '/backup')).plainText).toBe('No backup targets are configured (backups.targets).');
    expect((await replyTo(chat, '/frobnicate')).plainText).toMatch(/^Unknown command \/frobnicate/);
  });

  it('refuses /restart of a service warden does not restart, and of an unknown one', async () => {
    expect((await replyTo(chat, '/restart api')).plainText).toBe('Cannot restart api: its restart.strategy is none');
    expect((await replyTo(chat, '/restart db')).plainText).toBe('No service "db". Services: api, worker');
  });

  it('stores the offset of every handled update', async () => {
    await replyTo(chat, '/help');
    await until(
      async () =>
        (await warden.store.db.selectFrom('bot_state').selectAll().execute()).some(
          (r) => r.key === 'telegram.offset' && Number(r.value) === 2,
        ),
      5000,
      'the stored offset',
    );
  });
});
