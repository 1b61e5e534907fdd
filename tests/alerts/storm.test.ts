import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { telegramPace } from '../../src/alerts/pacer.ts';
import { startFakeTelegram, type FakeTelegram, type SentMessage } from '../fixtures/fake-telegram.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { createHarness, type Harness } from './helpers/harness.ts';
import { until } from '../helpers/until.ts';

let fake: FakeTelegram;
let h: Harness;

afterEach(async () => {
  await h.stop();
  await fake.close();
});

/** Which `svc-N` subjects a message lists. */
// once per message: a single alert names its subject again in the first step
const subjects = (m: SentMessage): number[] => [
  ...new Set([...m.plainText.matchAll(/svc-(\d+)\b/g)].map((x) => Number(x[1]))),
];

describe('storms', () => {
  beforeEach(async () => {
    fake = await startFakeTelegram({ chats: [42] });
    h = await createHarness({ fake, dir: tempDir(), telegram: 'chats: [{ id: 42 }]' });
    await h.start();
  });

  it('groups alerts waiting together into one message, and resolutions edit it correctly', async () => {
    await fake.down();
    for (let i = 1; i <= 10; i++) await h.incidents.report(`service-down:svc-${i}`, { detail: 'down' });
    await fake.up();
    await fake.waitForMessages(1, 5000);
    await h.idle();
    expect(fake.messages).toHaveLength(1);
    const group = fake.messages[0]!;
    expect(group.plainText.split('\n')[0]).toBe('🚨 10 incidents opened on prod-1');
    expect(subjects(group)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

    await h.incidents.resolve('service-down:svc-3');
    await fake.waitForMessages(2, 5000);
    await fake.waitFor(() => group.edits.length === 1, 5000, 'group edit');
    expect(group.edits[0]!.plainText).toContain('1 of 10 resolved');
    expect(group.edits[0]!.text).toContain('✅ <s>Service down</s> · <code>svc-3</code>');
    expect(fake.messages[1]).toMatchObject({
      replyTo: group.messageId,
      // how long it lasted depends on how fast this machine delivered the group
      plainText: expect.stringMatching(
        /^✅ Resolved: Service down · svc-3 after (<1s|\d+s)(\nIt recovered by itself .*)?$/,
      ) as unknown,
    });

    for (const n of [1, 2, 4, 5, 6]) await h.incidents.resolve(`service-down:svc-${n}`);
    await fake.waitFor(
      () => group.edits.at(-1)?.plainText.includes('6 of 10 resolved') ?? false,
      5000,
      'all resolutions in the edit',
    );
    await until(
      async () =>
        (await h.store.db.selectFrom('outbox').select('state').where('state', '=', 'pending').execute()).length === 0,
    );
    const replies = fake.messages
      .slice(1)
      .flatMap(subjects)
      .sort((a, b) => a - b);
    expect(replies).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('storm against Telegram rate limits (acceptance)', () => {
  it('delivers 200 incidents opened within 10 s: nothing lost, at most 30 messages in the first minute, no retry storm', async () => {
    fake = await startFakeTelegram({ chats: [42, -1001], rateLimits: {} });
    h = await createHarness({
      fake,
      dir: tempDir(),
      telegram: 'chats: [{ id: 42 }, { id: -1001 }]',
      pace: telegramPace,
      tuning: { backoff: { initialMs: 1000, maxMs: 60_000 }, pollMs: 2000 },
    });
    await h.start();
    const start = Date.now();
    for (let second = 0; second < 10; second++) {
      for (let i = 0; i < 20; i++) await h.incidents.report(`service-down:svc-${second * 20 + i}`, { detail: 'down' });
      await new Promise((r) => setTimeout(r, start + (second + 1) * 1000 - Date.now()));
    }
    const all = Array.from({ length: 200 }, (_, i) => i);
    for (const chat of [42, -1001]) {
      await fake.waitFor(
        () => fake.messagesTo(chat).flatMap(subjects).length >= 200,
        20_000,
        `all 200 in chat ${chat}`,
      );
      const listed = fake.messagesTo(chat).flatMap(subjects);
      expect([...listed].sort((a, b) => a - b)).toEqual(all);
      expect(listed).toEqual(all);
    }
    const firstMinute = fake.messages.filter((m) => m.at - start < 60_000);
    expect(firstMinute.length).toBeLessThanOrEqual(30);
    const limited = fake.calls.filter((c) => c.status === 429);
    // pacing keeps 429s rare; a loaded machine's late timers may bunch a few sends, never a retry storm
    expect(limited.length).toBeLessThanOrEqual(3);
    expect(fake.calls.filter((c) => c.method === 'sendMessage').length).toBeLessThanOrEqual(
      fake.messages.length + limited.length,
    );
    console.log(
      `storm: ${fake.messagesTo(42).length} messages to the private chat, ${fake.messagesTo(-1001).length} to the group, ${limited.length} × 429, all delivered ${Date.now() - start} ms after the first incident`,
    );
  }, 240_000);
});
