import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enqueueOutbox } from '../../src/store/outbox.ts';
import { listUnresolvedIncidents } from '../../src/store/incidents.ts';
import { startFakeTelegram, type FakeTelegram } from '../fixtures/fake-telegram.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { createHarness, type Harness } from './helpers/harness.ts';
import { until } from '../helpers/until.ts';

let fake: FakeTelegram;
let h: Harness;
let dir: string;
const harnesses: Harness[] = [];

async function harness(options: Partial<Parameters<typeof createHarness>[0]> = {}): Promise<Harness> {
  const made = await createHarness({
    fake,
    dir,
    telegram: 'chats: [{ id: 42 }, { id: -1001 }]',
    // Telegram's request timeout stays at its 10 s default: a loaded machine may take far longer
    // than a few hundred ms to answer from the in-process fake, and a spurious timeout is a retry
    tuning: { backoff: { initialMs: 20, maxMs: 200 }, pollMs: 50 },
    ...options,
  });
  harnesses.push(made);
  await made.start();
  return made;
}

const rows = () => h.store.db.selectFrom('outbox').selectAll().orderBy('id').execute();

beforeEach(async () => {
  dir = tempDir();
  fake = await startFakeTelegram({ chats: [42, -1001, 43, { id: 7, blocked: true }] });
});
afterEach(async () => {
  for (const made of harnesses.splice(0)) await made.stop();
  await fake.close();
});

describe('delivery', () => {
  it('retries 5xx, resets and timeouts with backoff and delivers each alert once', async () => {
    // the hung call needs a timeout to end, long enough that only the hung call reaches it
    h = await harness({
      telegram: 'chats: [{ id: 42 }]',
      tuning: { backoff: { initialMs: 20, maxMs: 200 }, pollMs: 50, telegramTimeoutMs: 3000 },
    });
    fake.failNext(1, { kind: 'status', status: 500 }, 'sendMessage');
    fake.failNext(1, { kind: 'status', status: 502, html: true }, 'sendMessage');
    fake.failNext(1, { kind: 'reset' }, 'sendMessage');
    fake.failNext(1, { kind: 'hang' }, 'sendMessage');
    await h.incidents.report('service-down:api', { detail: 'down' });
    await fake.waitForMessages(1);
    await until(async () => (await rows())[0]?.state === 'sent');
    const [row] = await rows();
    expect(row).toMatchObject({ attempts: 5, message_id: '1', last_error: null });
    expect(fake.messages).toHaveLength(1);
    const retries = h.logLines().filter((l) => l.msg === 'alert delivery failed; will retry');
    expect(retries.map((l) => l.reason)).toEqual([
      'Telegram answered 500: Internal Server Error',
      expect.stringMatching(/^Telegram unreachable/),
      expect.stringMatching(/^Telegram unreachable/),
      'Telegram did not answer within 3000ms',
    ]);
    expect(retries.every((l) => l.key === 'service-down:api')).toBe(true);
    expect(h.logLines().find((l) => l.msg === 'alert delivered')).toMatchObject({
      key: 'service-down:api',
      chatId: '42',
      messageId: '1',
    });
  });

  it('honours retry_after for the rate-limited chat only', async () => {
    h = await harness();
    fake.failNext(1, { kind: 'retry-after', seconds: 1 }, 'sendMessage');
    await h.incidents.report('service-down:api', { detail: 'down' });
    await fake.waitForMessages(2);
    const limited = fake.calls.find((c) => c.status === 429)!;
    const other = fake.messages.find((m) => m.chatId !== limited.chatId)!;
    const late = fake.messages.find((m) => m.chatId === limited.chatId)!;
    // the other chat was not held back by the limited one, which waited out retry_after
    expect(other.at).toBeLessThan(late.at);
    expect(late.at - limited.at).toBeGreaterThanOrEqual(990);
    expect(fake.calls.filter((c) => c.status === 429)).toHaveLength(1);
  });

  it('re-sends a message Telegram cannot parse once, as plain text', async () => {
    h = await harness({ telegram: 'chats: [{ id: 42 }]' });
    const payload = JSON.stringify({ html: 'broken <b>bold', text: 'broken bold', buttons: [], silent: false });
    await enqueueOutbox(h.store.db, [{ chatId: '42', thread: null, kind: 'message', payload }], Date.now());
    h.dispatcher.wake();
    await fake.waitForMessages(1);
    expect(fake.messages[0]).toMatchObject({ parseMode: null, text: 'broken bold' });
    expect(fake.calls.filter((c) => c.method === 'sendMessage').map((c) => c.status)).toEqual([400, 200]);
    expect(h.logLines().find((l) => l.msg === 'alert refused as HTML; resending as plain text')?.reason).toMatch(
      /can't parse entities/,
    );
  });

  it('fails the copy for a blocked chat, opens alert-delivery, and still delivers to the others', async () => {
    h = await harness({ telegram: 'chats: [{ id: 42 }, { id: 7 }, { id: -1001 }]' });
    await h.incidents.report('service-down:api', { detail: 'down' });
    await until(
      async () => (await listUnresolvedIncidents(h.store.db)).some((i) => i.key === 'alert-delivery:7'),
      10_000,
      'alert-delivery',
    );
    await fake.waitForMessages(4);
    for (const chat of [42, -1001]) {
      expect(fake.messagesTo(chat).map((m) => m.plainText.split('\n')[0])).toEqual([
        '🔴 Service down · api',
        '🟠 Alerts are not being delivered · 7',
      ]);
      expect(fake.messagesTo(chat)[1]!.plainText).toContain(
        'chat 7: bot was blocked by the user: add or unblock the bot',
      );
    }
    const blockedRow = (await rows()).find((r) => r.chat_id === '7');
    expect(blockedRow).toMatchObject({ state: 'failed', last_error: expect.stringContaining('blocked') as unknown });
    expect(h.logLines().find((l) => l.msg === 'alert delivery failed')).toMatchObject({
      level: 50,
      chatId: '7',
      key: 'service-down:api',
    });

    // the next delivery to that chat resolves alert-delivery:7
    fake.blockChat(7, false);
    await h.incidents.report('disk-usage:/', { detail: '85%' });
    await until(
      async () => !(await listUnresolvedIncidents(h.store.db)).some((i) => i.key === 'alert-delivery:7'),
      10_000,
      'resolution',
    );
  });

  it('fails the copy for a chat that does not exist, with the fix in the reason', async () => {
    h = await harness({ telegram: 'chats: [{ id: 42 }, { id: -100999 }]' });
    await h.incidents.report('service-down:api', { detail: 'down' });
    await until(async () => (await rows()).some((r) => r.state === 'failed'));
    expect((await rows()).find((r) => r.state === 'failed')?.last_error).toBe(
      'chat -100999 not found: add the bot to the group or correct the id in telegram.chats',
    );
  });

  it('keeps each chat in order while one chat waits out failures', async () => {
    h = await harness();
    fake.failNext(3, { kind: 'status', status: 500 }, 'sendMessage');
    for (let i = 1; i <= 2; i++) await h.incidents.report(`service-down:svc-${i}`, { detail: 'down' });
    await fake.waitForMessages(4);
    for (const chat of [42, -1001]) {
      expect(fake.messagesTo(chat).map((m) => m.plainText.split('\n')[0])).toEqual([
        '🔴 Service down · svc-1',
        '🔴 Service down · svc-2',
      ]);
    }
  });

  it('resumes pending rows after a restart, oldest first, each once', async () => {
    h = await harness();
    await fake.down();
    for (let i = 1; i <= 2; i++) await h.incidents.report(`service-down:svc-${i}`, { detail: 'down' });
    await until(async () => (await rows()).some((r) => r.attempts > 1), 10_000, 'retries');
    await h.stop();
    harnesses.splice(harnesses.indexOf(h), 1);
    await fake.up();
    h = await harness({ storeUrl: h.storeUrl });
    await fake.waitForMessages(4);
    await h.idle();
    expect(fake.messages).toHaveLength(4);
    expect(fake.messagesTo(42).map((m) => m.plainText.split('\n')[0])).toEqual([
      '🔴 Service down · svc-1',
      '🔴 Service down · svc-2',
    ]);
  });

  it('sends at least once when the reply is lost after Telegram accepted the message', async () => {
    h = await harness({ telegram: 'chats: [{ id: 42 }]' });
    fake.failNext(1, { kind: 'lose-response' }, 'sendMessage');
    await h.incidents.report('service-down:api', { detail: 'down' });
    await fake.waitForMessages(2);
    await until(async () => (await rows())[0]?.state === 'sent');
    expect((await rows())[0]!.message_id).toBe('2');
  });
});

describe('long outages', () => {
  it('logs an alert undelivered for more than 5 minutes at error level on each retry', async () => {
    const clock = new ManualClock();
    h = await harness({
      clock,
      telegram: 'chats: [{ id: 42 }]',
      tuning: { backoff: { initialMs: 1000, maxMs: 60_000 }, pollMs: 3_600_000 },
    });
    await fake.down();
    await h.incidents.report('service-down:api', { detail: 'down' });
    const failures = () =>
      h.logLines().filter((l) => l.msg === 'alert still undelivered' || l.msg === 'alert delivery failed; will retry');
    for (let minute = 0; minute < 8; minute++) {
      const before = failures().length;
      await clock.advance(61_000);
      await until(() => failures().length > before, 10_000, `retry in minute ${minute}`);
    }
    const errors = h.logLines().filter((l) => l.msg === 'alert still undelivered');
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors[0]).toMatchObject({ level: 50, key: 'service-down:api', chatId: '42' });
    expect(errors[0]!.ageMs as number).toBeGreaterThan(5 * 60_000);
    await fake.up();
    await clock.advance(61_000);
    await fake.waitForMessages(1);
  });
});

describe('dry-run', () => {
  it('writes alerts to the log and marks them delivered-to-log when there is no token', async () => {
    h = await harness({ fake: null, telegram: 'chats: [{ id: 42 }]' });
    await h.incidents.report('service-down:api', { detail: 'down' });
    await until(async () => (await rows())[0]?.state === 'logged');
    expect(h.logLines().find((l) => l.msg === 'alert written to log (dry-run)')).toMatchObject({
      chatId: '42',
      text: expect.stringContaining('🔴 Service down · api') as unknown,
    });
    expect(fake.calls).toHaveLength(0);
  });

  it('sends to the log pseudo-chat when no chats are configured', async () => {
    h = await harness({ telegram: 'chats: []' });
    await h.incidents.report('service-down:api', { detail: 'down' });
    await until(async () => (await rows())[0]?.state === 'logged');
    expect((await rows())[0]!.chat_id).toBe('log');
  });
});

describe('reminders', () => {
  it('reminds of an unacknowledged critical every repeat, as a reply, and stops once acknowledged', async () => {
    const clock = new ManualClock();
    h = await harness({ clock, telegram: 'chats: [{ id: 42 }]\nrepeat: 1h', tuning: { pollMs: 3_600_000 } });
    await h.incidents.report('service-down:api', { detail: 'down' });
    await h.incidents.report('disk-usage:/', { detail: '85%' });
    await fake.waitForMessages(2);
    await clock.advance(3_600_000);
    await clock.advance(60_000);
    await fake.waitForMessages(3);
    expect(fake.messages[2]).toMatchObject({ replyTo: 1, disableNotification: false });
    expect(fake.messages[2]!.plainText).toMatch(/^⏰ Still open after 1h( 1m)?, not acknowledged: Service down · api$/);
    await h.idle();
    const asleep = clock.sleeping;
    await h.incidents.acknowledge('service-down:api', 'cli');
    await clock.advance(3_600_000);
    await clock.advance(60_000);
    // the reminder loop has run at the new time and sleeps again, and whatever it queued is out
    await h.idle({ sleepers: asleep });
    expect(fake.messages.filter((m) => m.plainText.startsWith('⏰'))).toHaveLength(1);
  });

  it("reminds of a fleet-wide incident (another host down) from the fleet's leader only", async () => {
    const clock = new ManualClock();
    let leads = false;
    h = await harness({
      clock,
      telegram: 'chats: [{ id: 42 }]\nrepeat: 1h',
      tuning: { pollMs: 3_600_000 },
      leads: () => leads,
    });
    await h.incidents.report('host-down:web-2', { detail: 'no heartbeat for 30s' });
    await fake.waitForMessages(1);
    const asleep = clock.sleeping;
    await clock.advance(3_600_000);
    await clock.advance(60_000);
    await h.idle({ sleepers: asleep });
    expect(fake.messages).toHaveLength(1);
    leads = true;
    await clock.advance(60_000);
    await fake.waitForMessages(2);
    expect(fake.messages[1]!.plainText).toMatch(/^⏰ Still open after 1h 2m, not acknowledged: /);
  });
});
