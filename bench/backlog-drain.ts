/**
 * Time to drain an outbox backlog under Telegram's rate limits (enforced by the fake: 1 msg/s per
 * private chat, 20/min per group, 30/s overall) with warden's production pacing, against the
 * minimum those limits allow.
 * Run: npx tsx bench/backlog-drain.ts
 */
import { telegramPace } from '../src/alerts/pacer.ts';
import { enqueueOutbox } from '../src/store/outbox.ts';
import { startFakeTelegram, telegramLimits } from '../tests/fixtures/fake-telegram.ts';
import { alertStack, table } from './lib/alert-stack.ts';

const rows: Array<Array<string | number>> = [];

/**
 * Queues `count` plain messages (digests, test alerts: never grouped) over `chats` in turn, then
 * times warden draining them against `minimum`, the seconds Telegram's limits allow at the least.
 */
async function drainPlain(label: string, chats: string[], count: number, minimum: number, timeoutMs: number) {
  const fake = await startFakeTelegram({ chats, rateLimits: {} });
  const stack = await alertStack({ fake, chats: [], dialect: 'sqlite', pace: telegramPace });
  const payload = JSON.stringify({ html: '<b>bench</b>', text: 'bench', buttons: [], silent: true });
  const backlog = Array.from({ length: count }, (_, i) => ({
    chatId: chats[i % chats.length]!,
    thread: null,
    kind: 'message' as const,
    payload,
  }));
  await enqueueOutbox(stack.store.db, backlog, Date.now());
  const start = performance.now();
  await stack.start();
  await fake.waitForMessages(count, timeoutMs);
  const elapsed = (performance.now() - start) / 1000;
  rows.push([
    label,
    fake.messages.length,
    minimum.toFixed(1),
    elapsed.toFixed(1),
    `${(((elapsed - minimum) / minimum) * 100).toFixed(1)} %`,
    fake.calls.filter((c) => c.status === 429).length,
  ]);
  await stack.stop();
  await fake.close();
}

// 1. 1,000 plain messages spread over 50 private chats.
{
  const chats = Array.from({ length: 50 }, (_, i) => String(1000 + i));
  // The 30/s global window is the binding limit: the 1,000th message can leave after 33 full windows.
  const perChat = Math.ceil(1000 / chats.length) - 1;
  const minimum = Math.max(
    Math.floor((1000 - 1) / telegramLimits.globalPerSecond),
    perChat * (telegramLimits.privateIntervalMs / 1000),
  );
  await drainPlain('1,000 messages, 50 private chats', chats, 1000, minimum, 120_000);
}

// 2. 60 plain messages to two groups: the 20-a-minute window is the limit. 20 per group leave at
// once, the last 10 once the first minute is over.
await drainPlain('60 messages, 2 groups', ['-1001', '-1002'], 60, 60, 180_000);

// 3. 1,000 incident alerts queued during an outage, to one private chat and one group: grouped.
{
  const fake = await startFakeTelegram({ chats: [42, -1001], rateLimits: {} });
  const stack = await alertStack({ fake, chats: ['42', '-1001'], dialect: 'sqlite', pace: telegramPace });
  await fake.down();
  for (let i = 0; i < 1000; i++) await stack.incidents.report(`service-down:svc-${i}`, { detail: 'bench' });
  await fake.up();
  const start = performance.now();
  await stack.start();
  const listed = () => fake.messages.reduce((n, m) => n + (m.plainText.match(/svc-\d+/g)?.length ?? 0), 0);
  await fake.waitFor(() => listed() >= 2000, 300_000, 'all alerts listed');
  const elapsed = (performance.now() - start) / 1000;
  rows.push([
    `1,000 alerts × 2 chats, grouped into ${fake.messages.length} messages`,
    fake.messages.length,
    '—',
    elapsed.toFixed(1),
    '—',
    fake.calls.filter((c) => c.status === 429).length,
  ]);
  await stack.stop();
  await fake.close();
}

console.log(`backlog drain under Telegram rate limits, ${new Date().toISOString()}, node ${process.version}\n`);
console.log(table(['backlog', 'messages sent', 'limit minimum (s)', 'drained in (s)', 'over minimum', '429s'], rows));
process.exit(0);
