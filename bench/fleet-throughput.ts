/**
 * Alert throughput and enqueue→delivered latency with 1, 2 and 3 warden daemons (real processes,
 * tests/fixtures/daemon-process.ts) on one PostgreSQL store, against the fake Bot API without rate
 * limits and with warden's pacing and storm grouping off: it measures warden's claimed outbox, not
 * Telegram. Each incident goes to 6 group chats (6 messages); an instance sends a chat only while it
 * holds that chat's claim. Latency is the row's sent_at − created_at, read from the store.
 * Run: npx tsx bench/fleet-throughput.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../src/store/db.ts';
import { startDaemonProcess, type DaemonProcess } from '../tests/fixtures/daemon-client.ts';
import { startFakeTelegram } from '../tests/fixtures/fake-telegram.ts';
import { createTestDatabase } from '../tests/helpers/postgres.ts';
import { writeConfig } from '../tests/helpers/write-config.ts';
import { percentile, table } from './lib/alert-stack.ts';

const chats = [-1001, -1002, -1003, -1004, -1005, -1006];
const burstIncidents = 50;
const steadyPerSecond = 5;
const steadySeconds = 10;

async function measure(instances: number, phase: 'burst' | 'steady'): Promise<Array<string | number>> {
  const fake = await startFakeTelegram({ chats });
  const database = await createTestDatabase();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-bench-fleet-'));
  const fleet: DaemonProcess[] = [];
  try {
    for (let i = 0; i < instances; i++) {
      const config = writeConfig(path.join(dir, `h${i}`), {
        store: database.url,
        telegram: { apiRoot: fake.apiRoot, chats: `[${chats.map((id) => `{ id: ${id} }`).join(', ')}]` },
        lines: [`host: h${i}`],
      });
      fleet.push(
        await startDaemonProcess(config, {
          TELEGRAM_BOT_TOKEN: fake.token,
          WARDEN_TEST_LOCK: '1',
          WARDEN_TEST_UNPACED: '1',
        }),
      );
    }
    const count = phase === 'burst' ? burstIncidents : steadyPerSecond * steadySeconds;
    const start = Date.now();
    // round-robin over the instances: any of them may enqueue
    const reports = Array.from({ length: count }, (_, n) => async () => {
      if (phase === 'steady') {
        const due = start + (n * 1000) / steadyPerSecond - Date.now();
        if (due > 0) await new Promise((r) => setTimeout(r, due));
      }
      await fleet[n % instances]!.report(`service-down:bench-${n}`);
    });
    await Promise.all(
      fleet.map(async (_, i) => {
        for (let n = i; n < count; n += instances) await reports[n]!();
      }),
    );
    await fake.waitForMessages(count * chats.length, 300_000);
    const store = await openStore(database.url);
    const sent = () =>
      store.db
        .selectFrom('outbox')
        .innerJoin('incidents', 'incidents.id', 'outbox.incident_id')
        .select(['outbox.created_at', 'outbox.sent_at', 'outbox.claim_host'])
        .where('incidents.key', 'like', 'service-down:bench-%')
        .where('outbox.state', '=', 'sent')
        .execute();
    // Telegram has them all; the last records may still be on their way to the store
    let rows = await sent();
    while (rows.length < count * chats.length) {
      await new Promise((r) => setTimeout(r, 100));
      rows = await sent();
    }
    await store.close();
    const latencies = rows.map((r) => r.sent_at! - r.created_at).sort((a, b) => a - b);
    const first = Math.min(...rows.map((r) => r.created_at));
    const last = Math.max(...rows.map((r) => r.sent_at!));
    const senders = new Set(rows.map((r) => r.claim_host)).size;
    const copies = new Map<string, number>();
    for (const m of fake.messages) {
      const subject = /bench-\d+\b/.exec(m.plainText)?.[0];
      if (subject) copies.set(`${m.chatId} ${subject}`, (copies.get(`${m.chatId} ${subject}`) ?? 0) + 1);
    }
    const duplicates = [...copies.values()].reduce((sum, n) => sum + n - 1, 0);
    return [
      instances,
      phase === 'burst' ? `burst of ${count}` : `${steadyPerSecond}/s for ${steadySeconds} s`,
      rows.length,
      ((rows.length / (last - first)) * 1000).toFixed(1),
      percentile(latencies, 0.5),
      percentile(latencies, 0.95),
      latencies.at(-1)!,
      senders,
      duplicates,
    ];
  } finally {
    for (const instance of fleet) await instance.stop();
    await fake.close();
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const results: Array<Array<string | number>> = [];
for (const phase of ['burst', 'steady'] as const)
  for (const instances of [1, 2, 3]) results.push(await measure(instances, phase));
console.log(
  table(
    [
      'instances',
      'incidents (×6 chats)',
      'messages',
      'messages/s',
      'latency p50 ms',
      'p95 ms',
      'max ms',
      'instances that sent',
      'duplicates',
    ],
    results,
  ),
);
console.log(
  `\n${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(2)}; PostgreSQL on 127.0.0.1; fake Bot API without rate limits`,
);
