import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogChannel } from '../../../src/alerts/channels/log.ts';
import { createTelegramChannel } from '../../../src/alerts/channels/telegram.ts';
import type { Channel, Outgoing } from '../../../src/alerts/channels/types.ts';
import { startFakeTelegram, type FakeTelegram } from '../../fixtures/fake-telegram.ts';
import { captureLogger } from '../../helpers/logger.ts';

let fake: FakeTelegram;
let channel: Channel;
const signal = new AbortController().signal;
const to = (chatId: string | number, thread: number | null = null) => ({ chatId: String(chatId), thread });
const message = (overrides: Partial<Outgoing> = {}): Outgoing => ({
  html: '🔴 <b>Service down</b> · <code>api</code>',
  text: '🔴 Service down · api',
  buttons: [[{ text: '📖 Runbook', url: 'https://example.com/runbook/service-down.md' }]],
  silent: false,
  format: 'html',
  replyTo: null,
  ...overrides,
});

beforeAll(async () => {
  fake = await startFakeTelegram({ chats: [42, -1001, { id: 7, blocked: true }, { id: -1002, blocked: true }] });
  // the default 10 s request timeout: on a loaded machine the in-process fake may take far longer
  // than a few hundred ms to answer, and a spurious timeout would fail a test about something else
  channel = createTelegramChannel({ token: fake.token, apiRoot: fake.apiRoot });
});
afterAll(() => fake.close());
beforeEach(async () => {
  if (!fake.isUp) await fake.up();
});

describe('telegram channel', () => {
  it('sends HTML with buttons, thread, silence and reply target, and returns the message_id', async () => {
    const first = await channel.send(message(), to(-1001, 9), signal);
    expect(first).toEqual({ ok: true, messageId: '1' });
    const reply = await channel.send(message({ silent: true, replyTo: '1', buttons: [] }), to(-1001, 9), signal);
    expect(reply).toEqual({ ok: true, messageId: '2' });
    expect(fake.messagesTo(-1001)).toMatchObject([
      {
        parseMode: 'HTML',
        threadId: 9,
        disableNotification: false,
        replyMarkup: {
          inline_keyboard: [[{ text: '📖 Runbook', url: 'https://example.com/runbook/service-down.md' }]],
        },
      },
      { replyTo: 1, disableNotification: true, replyMarkup: null },
    ]);
  });

  it('sends plain text without a parse mode', async () => {
    const delivery = await channel.send(
      message({ format: 'text', html: '<broken', text: 'a < b & c' }),
      to(42),
      signal,
    );
    expect(delivery.ok).toBe(true);
    expect(fake.messages.at(-1)).toMatchObject({ parseMode: null, text: 'a < b & c' });
  });

  it('edits, and treats "message is not modified" as done', async () => {
    const sent = await channel.send(message(), to(42), signal);
    if (!sent.ok) throw new Error(sent.reason);
    expect(await channel.edit(sent.messageId, message({ html: '✅ <b>Resolved</b>' }), to(42), signal)).toEqual({
      ok: true,
      messageId: sent.messageId,
    });
    expect(await channel.edit(sent.messageId, message({ html: '✅ <b>Resolved</b>' }), to(42), signal)).toEqual({
      ok: true,
      messageId: sent.messageId,
    });
    expect(await channel.edit('999', message(), to(42), signal)).toMatchObject({
      ok: false,
      permanent: true,
      kind: 'gone',
    });
  });

  it('maps every failure to a delivery and never throws', async () => {
    const cases: Array<[() => void, object]> = [
      [
        () => fake.failNext(1, { kind: 'status', status: 500 }),
        { permanent: false, kind: 'unreachable', reason: expect.stringContaining('500') },
      ],
      [() => fake.failNext(1, { kind: 'status', status: 502, html: true }), { permanent: false, kind: 'unreachable' }],
      [
        () => fake.failNext(1, { kind: 'retry-after', seconds: 3 }),
        { permanent: false, kind: 'rate-limited', retryAfterMs: 3000 },
      ],
      [
        () => fake.failNext(1, { kind: 'reset' }),
        { permanent: false, kind: 'unreachable', reason: expect.stringMatching(/^Telegram unreachable/) },
      ],
    ];
    for (const [script, expected] of cases) {
      script();
      expect(await channel.send(message(), to(42), signal)).toMatchObject({ ok: false, ...expected });
    }
    // only the hung call is meant to reach this channel's short timeout
    const impatient = createTelegramChannel({ token: fake.token, apiRoot: fake.apiRoot, timeoutMs: 1000 });
    fake.failNext(1, { kind: 'hang' });
    expect(await impatient.send(message(), to(42), signal)).toMatchObject({
      ok: false,
      permanent: false,
      kind: 'unreachable',
      reason: 'Telegram did not answer within 1000ms',
    });
    expect(await channel.send(message({ html: '<script>x</script>' }), to(42), signal)).toMatchObject({
      ok: false,
      permanent: true,
      kind: 'format',
      reason: expect.stringContaining("can't parse entities") as unknown,
    });
    expect(await channel.send(message(), to(99), signal)).toMatchObject({
      ok: false,
      permanent: true,
      kind: 'recipient',
      reason: 'chat 99 not found: add the bot to the group or correct the id in telegram.chats',
    });
    expect(await channel.send(message(), to(7), signal)).toMatchObject({
      permanent: true,
      kind: 'recipient',
      reason: expect.stringContaining('chat 7: bot was blocked by the user') as unknown,
    });
    expect(await channel.send(message(), to(-1002), signal)).toMatchObject({
      kind: 'recipient',
      reason: expect.stringContaining('kicked') as unknown,
    });
  });

  it('reports a refused connection as unreachable, without the token', async () => {
    await fake.down();
    // the first send may still pick a pooled socket the server just dropped ("other side closed")
    expect(await channel.send(message(), to(42), signal)).toMatchObject({ ok: false, kind: 'unreachable' });
    const delivery = await channel.send(message(), to(42), signal);
    expect(delivery).toMatchObject({
      ok: false,
      permanent: false,
      kind: 'unreachable',
      reason: expect.stringContaining('ECONNREFUSED') as unknown,
    });
    expect(JSON.stringify(delivery)).not.toContain(fake.token);
  });

  it('reports a wrong token as unauthorized, retryable once the operator fixes it', async () => {
    const wrong = createTelegramChannel({ token: '1:wrong-token', apiRoot: fake.apiRoot });
    expect(await wrong.send(message(), to(42), signal)).toMatchObject({
      ok: false,
      permanent: false,
      kind: 'unauthorized',
    });
  });

  it('keeps the token out of its inspect output', () => {
    expect(inspect(channel, { depth: 10, showHidden: true })).not.toContain(fake.token);
    expect(JSON.stringify(channel)).not.toContain(fake.token);
  });
});

describe('log channel', () => {
  it('writes the text to the log and reports delivered-to-log', async () => {
    const { log, lines } = captureLogger();
    const delivery = await createLogChannel(log).send(message(), to(42), signal);
    expect(delivery).toEqual({ ok: true, messageId: 'log-1', toLog: true });
    expect(lines()).toContainEqual(
      expect.objectContaining({ msg: 'alert written to log (dry-run)', chatId: '42', text: '🔴 Service down · api' }),
    );
  });
});
