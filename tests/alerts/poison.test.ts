import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.ts';
import { enqueueOutbox } from '../../src/store/outbox.ts';
import { startFakeTelegram, type FakeTelegram } from '../fixtures/fake-telegram.ts';
import { noPace } from '../fixtures/no-pace.ts';
import { captureIo } from '../helpers/io.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { createHarness, type Harness } from './helpers/harness.ts';
import { until } from '../helpers/until.ts';
import fs from 'node:fs';
import path from 'node:path';

let fake: FakeTelegram;
let h: Harness;
let dir: string;

beforeEach(async () => {
  dir = tempDir();
  fake = await startFakeTelegram({ chats: [42] });
});
afterEach(async () => {
  await h.stop();
  await fake.close();
});

const outbox = () => h.store.db.selectFrom('outbox').selectAll().orderBy('id').execute();

/**
 * Moves the clock in small steps, each only once the chat's worker waits on it (the poller always
 * does, so two sleepers), until `done` holds or `limitMs` passed. Returns the simulated time taken.
 */
async function advanceUntil(clock: ManualClock, done: () => boolean, limitMs: number): Promise<number> {
  const start = clock.now();
  while (!done() && clock.now() - start <= limitMs) {
    await until(() => done() || clock.sleeping >= 2, 10_000, 'the dispatcher to wait for the clock');
    if (!done()) await clock.advance(250);
  }
  return clock.now() - start;
}

describe('poison outbox rows', () => {
  it('fails a row that cannot be rendered after 5 tries, so the next alert to its chat arrives within 30 s', async () => {
    const clock = new ManualClock(Date.now());
    h = await createHarness({
      fake,
      dir,
      clock,
      telegram: 'chats: [{ id: 42 }]',
      pace: noPace,
      tuning: {},
    });
    // a row this version cannot read (bad JSON, as a newer or broken warden might leave), planted before start
    await enqueueOutbox(
      h.store.db,
      [{ chatId: '42', thread: null, kind: 'message', payload: '{"html": ' }],
      clock.now(),
    );
    await h.start();
    await h.incidents.report('service-down:api', { detail: 'connection refused' });

    const took = await advanceUntil(clock, () => fake.messages.length > 0, 30_000);
    await fake.waitForMessages(1);
    expect(took).toBeLessThanOrEqual(30_000);
    expect(fake.messages[0]!.plainText).toContain('Service down');
    await until(async () => (await outbox()).every((r) => r.state !== 'pending'));

    const [bad, alert] = await outbox();
    expect(bad).toMatchObject({ state: 'failed', attempts: 5 });
    expect(bad!.last_error).toMatch(/^cannot be rendered: /);
    expect(alert).toMatchObject({ state: 'sent', message_id: '1' });
    expect(h.logLines().filter((l) => l.msg === 'alert failed for good: it cannot be rendered')).toHaveLength(1);

    // `warden status` shows the failed row with its reason
    const config = path.join(dir, 'warden.config.yaml');
    fs.writeFileSync(config, `store: { url: "${h.storeUrl}" }\ntelegram: { chats: [{ id: 42 }] }\n`);
    const io = captureIo({});
    expect(await main(['status', '--config', config], io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/✗ not delivered \(1× in the last day, .*\): chat 42: cannot be rendered: /);
  });

  it('renders a row of a topic or kind this version does not know generically instead of throwing', async () => {
    h = await createHarness({ fake, dir, telegram: 'chats: [{ id: 42 }]', pace: noPace });
    const now = Date.now();
    const incident = await h.store.db
      .insertInto('incidents')
      .values({
        key: 'fleet-down:web-2',
        topic: 'fleet-down',
        subject: 'web-2',
        severity: 'critical',
        state: 'open',
        detail: 'no heartbeat for 3m',
        excerpt: null,
        opened_at: now,
        last_seen_at: now,
        count: 1,
        actions: '[]',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await enqueueOutbox(h.store.db, [{ chatId: '42', thread: null, kind: 'incident', incidentId: incident.id }], now);
    // a kind from a newer version that carries its incident
    await enqueueOutbox(
      h.store.db,
      [{ chatId: '42', thread: null, kind: 'digest' as 'incident', incidentId: incident.id }],
      now,
    );
    await h.start();
    await fake.waitForMessages(2);
    expect(fake.messages.map((m) => m.plainText.split('\n')[0])).toEqual([
      '🔴 fleet-down · web-2',
      '🔴 fleet-down · web-2',
    ]);
    await until(async () => (await outbox()).every((r) => r.state === 'sent'));
  });
});
