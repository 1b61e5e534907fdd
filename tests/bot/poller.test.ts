import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPoller } from '../../src/bot/poller.ts';
import { createBotTelegram } from '../../src/bot/telegram.ts';
import type { Part } from '../../src/lib/part.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { startFakeTelegram, type FakeTelegram } from '../fixtures/fake-telegram.ts';
import { captureLogger } from '../helpers/logger.ts';
import { until } from '../helpers/until.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { admin, chat } from './helpers.ts';

let fake: FakeTelegram;
let store: Store;
let poller: Part;
let capture: ReturnType<typeof captureLogger>;
const handled: number[] = [];

beforeEach(async () => {
  fake = await startFakeTelegram({ chats: [chat] });
  store = await openStore(`sqlite:${path.join(tempDir(), 'warden.db')}`);
  capture = captureLogger();
  handled.length = 0;
  const telegram = createBotTelegram({ token: fake.token, apiRoot: fake.apiRoot, log: capture.log, pollTimeoutSec: 1 });
  poller = createPoller({
    telegram,
    store,
    clock: systemClock,
    log: capture.log,
    pollTimeoutSec: 1,
    backoff: { initialMs: 10, maxMs: 40 },
    onReady: () => Promise.resolve(),
    handle: (update) => {
      handled.push(update.update_id);
      return Promise.resolve();
    },
  });
});
afterEach(async () => {
  await poller.stop();
  await store.close();
  await fake.close();
});

const messages = (text: string) => capture.lines().filter((l) => typeof l.msg === 'string' && l.msg.includes(text));

describe('bot poller', () => {
  it('says a 409 conflict once, clearly, and resumes when the other poller is gone', async () => {
    fake.failNext(
      4,
      {
        kind: 'status',
        status: 409,
        description:
          'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
      },
      'getUpdates',
    );
    await poller.start();
    fake.sendText(admin, chat, '/status');
    await until(() => handled.length === 1, 10_000, 'the update');
    const conflict = messages('409 Conflict');
    expect(conflict).toHaveLength(1);
    expect(conflict[0]).toMatchObject({ level: 50 });
    expect(conflict[0]!.msg).toContain('another program polls this bot token');
    expect(messages('bot polling resumed')).toHaveLength(1);
  });

  it('backs off after errors, logging one warning per kind of failure, and loses no update', async () => {
    fake.failNext(3, { kind: 'status', status: 502 }, 'getUpdates');
    await poller.start();
    fake.sendText(admin, chat, '/a');
    fake.sendText(admin, chat, '/b');
    await until(() => handled.length === 2, 10_000, 'the updates');
    expect(handled).toEqual([1, 2]);
    expect(messages('getUpdates failed; will retry')).toHaveLength(1);
    expect(messages('getUpdates failed again')).toHaveLength(2);
    const rows = await store.db.selectFrom('bot_state').selectAll().execute();
    expect(rows).toMatchObject([{ key: 'telegram.offset', value: '3' }]);
  });

  it('never logs the bot token', async () => {
    fake.failNext(1, { kind: 'status', status: 401 }, 'getUpdates');
    await poller.start();
    fake.sendText(admin, chat, '/a');
    await until(() => handled.length === 1, 10_000, 'the update');
    const text = JSON.stringify(capture.lines());
    expect(text).toContain('check TELEGRAM_BOT_TOKEN');
    expect(text).not.toContain(fake.token);
  });
});
