import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { activeSilences } from '../../src/store/silences.ts';
import { startFakeTelegram, type FakeTelegram, type SentMessage } from '../fixtures/fake-telegram.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { until } from '../helpers/until.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { admin, chat, startBotDaemon, stranger, type BotDaemon } from './helpers.ts';

// Issue 15: the buttons under alerts, against the real daemon (ManualClock for the reminders).
let fake: FakeTelegram;
let warden: BotDaemon;
let clock: ManualClock;

beforeEach(async () => {
  fake = await startFakeTelegram({ chats: [chat] });
  clock = new ManualClock();
  warden = await startBotDaemon({
    fake,
    dir: tempDir(),
    clock,
    telegram: 'repeat: 30m',
    extra: `services:
  api: { check: { tcp: { port: 1 } }, interval: 1d, restart: { strategy: command, command: "true" } }
  worker: { check: { tcp: { port: 1 } }, interval: 1d }`,
    // long loops so moving the clock by half an hour wakes few sleepers
    tuning: {
      tickMs: 600_000,
      alerts: { tuning: { backoff: { initialMs: 20, maxMs: 200 }, pollMs: 600_000 } },
    },
  });
  await fake.waitFor(() => fake.commandSets.length > 0, 5000, 'the bot to start');
});
afterEach(async () => {
  await warden.stop();
  await fake.close();
});

async function alertFor(key: string): Promise<{ id: number; message: SentMessage }> {
  const change = await warden.daemon.incidents.report(key, { detail: 'down' });
  const subject = key.split(':')[1]!;
  await fake.waitFor(
    () => fake.messagesTo(chat).some((m) => m.replyTo === null && m.plainText.split('\n')[0]!.endsWith(subject)),
    5000,
    `the alert for ${key}`,
  );
  const message = fake.messagesTo(chat).find((m) => m.plainText.split('\n')[0]!.endsWith(subject))!;
  return { id: change.incident.id, message };
}

async function press(from: typeof admin, message: SentMessage, data: string) {
  const id = fake.pressButton(from, message, data);
  await fake.waitFor(() => fake.answerTo(id) !== undefined, 5000, `the answer to ${data}`);
  return fake.answerTo(id)!;
}

const incident = (id: number) =>
  warden.store.db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const outboxSettled = () =>
  until(
    async () =>
      (await warden.store.db.selectFrom('outbox').selectAll().where('state', '=', 'pending').execute()).length === 0,
    5000,
    'the outbox to drain',
  );

/** The newest edit of `message` whose text matches, once it has arrived. */
async function editSaying(message: SentMessage, text: RegExp): Promise<SentMessage['edits'][number]> {
  const find = () => message.edits.findLast((edit) => text.test(edit.plainText));
  await fake.waitFor(() => find() !== undefined, 5000, `an edit saying ${text}`);
  return find()!;
}

/** Moves the clock past `telegram.repeat`, then a minute at a time (the reminders' cycle) until `done`. */
async function advanceUntil(done: () => boolean, what: string): Promise<void> {
  await clock.advance(30 * 60_000);
  for (let minute = 0; minute < 10 && !done(); minute++) {
    await until(() => clock.sleeping >= 3, 5000, 'the loops to sleep');
    await clock.advance(60_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await fake.waitFor(done, 5000, what);
}

describe('alert buttons', () => {
  it('offers Runbook, Ack, Silence 1h, and Restart now for a service warden can restart', async () => {
    const { id, message } = await alertFor('service-down:api');
    expect(message.replyMarkup).toEqual({
      inline_keyboard: [
        [{ text: '📖 Runbook', url: 'https://github.com/acme/warden/blob/main/docs/runbook/service-down.md' }],
        [
          { text: '👀 Ack', callback_data: `ack:${id}` },
          { text: '🔕 Silence 1h', callback_data: `sil:${id}` },
          { text: '🔄 Restart now', callback_data: `rst:${id}` },
        ],
      ],
    });
    const worker = await alertFor('service-down:worker');
    expect(JSON.stringify(worker.message.replyMarkup)).not.toContain('rst:');
  });

  it('answers forged presses and changes nothing: unknown incident, wrong action, non-admin, replay after resolve', async () => {
    const api = await alertFor('service-down:api');
    const disk = await alertFor('disk-usage:/');
    const before = await incident(api.id);

    expect(await press(admin, api.message, `ack:999999`)).toMatchObject({ text: 'This button is no longer valid.' });
    expect(await press(admin, api.message, 'drop table')).toMatchObject({ text: 'This button is no longer valid.' });
    expect(await press(admin, disk.message, `rst:${disk.id}`)).toMatchObject({
      text: 'That does not apply to this incident.',
    });
    expect(await press(stranger, api.message, `ack:${api.id}`)).toMatchObject({
      text: 'Only warden admins can do this.',
      show_alert: true,
    });
    expect(await press(stranger, api.message, `rst:${api.id}`)).toMatchObject({
      text: 'Only warden admins can do this.',
    });
    expect(await incident(api.id)).toEqual(before);

    await warden.daemon.incidents.resolve('service-down:api');
    const resolved = await incident(api.id);
    expect(await press(admin, api.message, `ack:${api.id}`)).toMatchObject({
      text: `#${api.id} is already resolved; nothing to do.`,
    });
    expect(await press(admin, api.message, `sil:${api.id}`)).toMatchObject({ text: /already resolved/ });
    expect(await incident(api.id)).toEqual(resolved);
    expect(await activeSilences(warden.store, clock.now())).toEqual([]);
    expect(warden.lines().filter((l) => l.msg === 'bot command refused')).toHaveLength(2);
  });

  it('Ack edits the alert with who and when, and stops its reminders', async () => {
    const api = await alertFor('service-down:api');
    const worker = await alertFor('service-down:worker');
    expect(await press(admin, api.message, `ack:${api.id}`)).toMatchObject({ text: 'Acknowledged: reminders stop.' });
    // the restart policy may edit the alert too (it restarts api on its own): look for the ack's edit
    const acked = await editSaying(api.message, /^👀 Acknowledged by @alice at 03:00\n/);
    // the edited alert no longer offers Ack
    expect(JSON.stringify(acked.replyMarkup)).not.toContain(`ack:${api.id}`);
    expect(await press(admin, api.message, `ack:${api.id}`)).toMatchObject({
      text: `#${api.id} is already acknowledged by @alice.`,
    });

    await advanceUntil(() => fake.repliesTo(chat, worker.message.messageId).length > 0, 'the worker reminder');
    await outboxSettled();
    const reminders = await warden.store.db.selectFrom('outbox').selectAll().where('kind', '=', 'reminder').execute();
    expect(reminders.map((r) => r.incident_id)).toEqual([worker.id]);
    expect(fake.repliesTo(chat, api.message.messageId)).toEqual([]);
  });

  it('Silence 1h shows who silenced it and holds back its alerts and reminders', async () => {
    const api = await alertFor('service-down:api');
    const worker = await alertFor('service-down:worker');
    expect(await press(admin, api.message, `sil:${api.id}`)).toMatchObject({ text: 'Silenced for 1h.' });
    expect(await activeSilences(warden.store, clock.now())).toMatchObject([
      { target: 'service-down:api', until: clock.now() + 3_600_000 },
    ]);
    await editSaying(api.message, /🛠 silenced 1h by @alice at 03:00/);

    await advanceUntil(() => fake.repliesTo(chat, worker.message.messageId).length > 0, 'the worker reminder');
    await outboxSettled();
    expect(fake.repliesTo(chat, api.message.messageId)).toEqual([]);

    // while silenced, the same outage again is recorded but not announced
    await warden.daemon.incidents.resolve('service-down:api');
    const again = await warden.daemon.incidents.report('service-down:api', { detail: 'down again' });
    await outboxSettled();
    const rows = await warden.store.db
      .selectFrom('outbox')
      .selectAll()
      .where('incident_id', '=', again.incident.id)
      .execute();
    expect(rows).toEqual([]);
  });

  it('Restart now runs the service restart driver and the alert shows who pressed it', async () => {
    const api = await alertFor('service-down:api');
    expect(await press(admin, api.message, `rst:${api.id}`)).toMatchObject({ text: 'Restarted.' });
    await editSaying(api.message, /🛠 restarted by @alice: ran "true": exit 0 at 03:00/);
    const actions = JSON.parse((await incident(api.id)).actions) as Array<{ kind: string; ok: boolean }>;
    // beside the restart policy's own restart of the down service
    expect(actions.filter((a) => a.kind === 'manual-restart')).toMatchObject([{ kind: 'manual-restart', ok: true }]);
  });
});
