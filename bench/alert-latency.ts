/**
 * Enqueue → delivered latency of one alert against the fake Bot API on loopback, which answers at
 * once: from `incidents.report()` (the incident and its outbox row commit together) until the row
 * is marked sent with Telegram's message_id. One alert at a time, pacing off.
 * Run: npx tsx bench/alert-latency.ts [COUNT]
 */
import { startFakeTelegram } from '../tests/fixtures/fake-telegram.ts';
import { noPace } from '../tests/fixtures/no-pace.ts';
import { alertStack, percentile, table } from './lib/alert-stack.ts';

const count = Number(process.argv[2] ?? 1000);
const warmup = 50;
const rows: Array<Array<string | number>> = [];

for (const dialect of ['sqlite', 'postgres'] as const) {
  const fake = await startFakeTelegram({ chats: [42] });
  const stack = await alertStack({ fake, chats: ['42'], dialect, pace: noPace });
  await stack.start();
  const latencies: number[] = [];
  const enqueue: number[] = [];
  for (let i = 0; i < warmup + count; i++) {
    const settled = stack.settlements.length;
    const start = performance.now();
    await stack.incidents.report(`service-down:svc-${i}`, { detail: 'bench' });
    const enqueued = performance.now();
    while (stack.settlements.length === settled) await new Promise((r) => setImmediate(r));
    const settlement = stack.settlements[settled]!;
    if (settlement.outcome !== 'delivered') throw new Error(`not delivered: ${settlement.reason}`);
    if (i >= warmup) {
      latencies.push(settlement.at - start);
      enqueue.push(enqueued - start);
    }
  }
  await stack.stop();
  await fake.close();
  const sorted = [...latencies].sort((a, b) => a - b);
  const enqueueSorted = [...enqueue].sort((a, b) => a - b);
  rows.push([
    dialect,
    count,
    percentile(enqueueSorted, 0.5).toFixed(2),
    percentile(sorted, 0.5).toFixed(2),
    percentile(sorted, 0.99).toFixed(2),
    sorted.at(-1)!.toFixed(2),
    fake.messages.length === warmup + count ? 'yes' : `no (${fake.messages.length})`,
  ]);
}

console.log(`alert latency, enqueue → delivered (ms), ${new Date().toISOString()}, node ${process.version}\n`);
console.log(table(['store', 'alerts', 'enqueue p50', 'delivered p50', 'delivered p99', 'max', 'each once'], rows));
process.exit(0);
