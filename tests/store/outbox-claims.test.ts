import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/db.ts';
import {
  claimChat,
  enqueueOutbox,
  markSending,
  releaseClaims,
  reserveSharedSlot,
  type Claimant,
} from '../../src/store/outbox.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';

let database: TestDatabase;
let store: Store;
beforeAll(async () => {
  database = await createTestDatabase();
  store = await openStore(database.url);
});
afterAll(async () => {
  await store.close();
  await database.drop();
});

const a: Claimant = { host: 'web-1', token: 'a', leaseMs: 1000 };
const b: Claimant = { host: 'web-2', token: 'b', leaseMs: 1000 };
const options = (now: number) => ({ now, limit: 100, rowLocks: true });

describe('outbox claims on PostgreSQL', () => {
  it('lets one instance send a chat at a time, and another take it over after the lease, flagging cut-off sends', async () => {
    const chat = 'claims-1';
    const ids = await enqueueOutbox(
      store.db,
      [
        { chatId: chat, thread: null, kind: 'incident' },
        { chatId: chat, thread: null, kind: 'incident' },
      ],
      0,
    );
    const first = await claimChat(store.db, chat, a, options(1000));
    expect(first).toMatchObject({ state: 'claimed', takenOver: 0 });
    expect(first.state === 'claimed' && first.rows.map((r) => r.id)).toEqual(ids);
    expect(await claimChat(store.db, chat, b, options(1500))).toEqual({ state: 'held' });

    // a renews its lease as it sends the head; it dies before the outcome is known
    expect(await markSending(store.db, [ids[0]!], 1600, { token: a.token, until: 2600 })).toBe(1);
    expect(await claimChat(store.db, chat, b, options(2500))).toEqual({ state: 'held' });
    const taken = await claimChat(store.db, chat, b, options(2601));
    expect(taken).toMatchObject({ state: 'claimed', takenOver: 1 });
    expect(taken.state === 'claimed' && taken.rows.map((r) => [r.id, r.resent])).toEqual([
      [ids[0], true],
      [ids[1], false],
    ]);
    // a, stalled rather than dead, may not send what b holds now
    expect(await markSending(store.db, ids, 2700, { token: a.token, until: 3700 })).toBe(0);

    // b's successor on the same host (the host lock says b is gone) takes over at once
    const successor: Claimant = { ...b, token: 'b2' };
    expect(await claimChat(store.db, chat, successor, options(2800))).toMatchObject({ state: 'claimed' });
    await releaseClaims(store.db, successor.token);
    expect(await claimChat(store.db, chat, a, options(2900))).toMatchObject({ state: 'claimed', takenOver: 0 });
  });

  it('hands out the shared send slots one gap apart, never before they are asked for', async () => {
    expect(await reserveSharedSlot(store.db, 'bench', 10_000, 34.3)).toBe(10_000);
    expect(await reserveSharedSlot(store.db, 'bench', 10_000, 34.3)).toBe(10_035);
    expect(await reserveSharedSlot(store.db, 'bench', 10_001, 34.3)).toBe(10_070);
    expect(await reserveSharedSlot(store.db, 'bench', 20_000, 34.3)).toBe(20_000);
  });
});
