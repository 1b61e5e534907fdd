import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { createAlerts } from '../../src/alerts/create-alerts.ts';
import type { Settlement } from '../../src/alerts/dispatcher.ts';
import { alertChats, outboxWriter } from '../../src/alerts/outbox.ts';
import type { PaceLimits } from '../../src/alerts/pacer.ts';
import { parseConfig } from '../../src/config/load.ts';
import { createTracker } from '../../src/incidents/tracker.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { openStore } from '../../src/store/db.ts';
import type { FakeTelegram } from '../../tests/fixtures/fake-telegram.ts';
import { createTestDatabase } from '../../tests/helpers/postgres.ts';

/** warden's real alert path (config → tracker → outbox → dispatcher → Telegram channel) against a fake Bot API. */
export async function alertStack(options: {
  fake: FakeTelegram;
  chats: string[];
  dialect: 'sqlite' | 'postgres';
  pace: PaceLimits;
}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-bench-'));
  const database = options.dialect === 'postgres' ? await createTestDatabase() : null;
  const storeUrl = database?.url ?? `sqlite:${path.join(dir, 'warden.db')}`;
  const yaml = `host: bench\nstore: { url: "${storeUrl}" }\ntelegram:\n  apiRoot: ${options.fake.apiRoot}\n  chats: [${options.chats.map((id) => `{ id: "${id}" }`).join(', ')}]\n`;
  const { config } = parseConfig(yaml, 'warden.config.yaml', {
    env: { TELEGRAM_BOT_TOKEN: options.fake.token },
    baseDir: dir,
  });
  const store = await openStore(storeUrl);
  const log = pino({ level: 'silent' });
  const incidents = createTracker({ store, clock: systemClock, log, writers: [outboxWriter(alertChats(config))] });
  const alerts = createAlerts({
    config,
    store,
    clock: systemClock,
    log,
    incidents,
    pace: options.pace,
    tuning: { pollMs: 1000 },
  });
  const settlements: Array<Settlement & { at: number }> = [];
  alerts.dispatcher.onSettled((s) => settlements.push({ ...s, at: performance.now() }));
  return {
    store,
    incidents,
    dispatcher: alerts.dispatcher,
    settlements,
    start: async () => {
      for (const part of alerts.parts) await part.start();
    },
    stop: async () => {
      for (const part of [...alerts.parts].reverse()) await part.stop();
      await store.close();
      await database?.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1)))]!;
}

export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}
