import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLeadership, type Leadership } from '../../src/fleet/leader.ts';
import { systemClock } from '../../src/lib/clock.ts';
import type { Part } from '../../src/lib/part.ts';
import { startTcpProxy, type TcpProxy } from '../fixtures/tcp-proxy.ts';
import { captureLogger } from '../helpers/logger.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { until } from '../helpers/until.ts';

let db: TestDatabase;
const cleanups: Array<() => Promise<void>> = [];
beforeEach(async () => {
  db = await createTestDatabase();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await db.drop();
});

/** A leader-work part per gain that records when it runs, so the test sees overlaps and gaps. */
function instance(host: string, url: string | null, events: string[]): Leadership {
  const work = (): Part[] => [
    {
      name: `work-${host}`,
      start: () => {
        events.push(`${host} start`);
        return Promise.resolve();
      },
      stop: () => {
        events.push(`${host} stop`);
        return Promise.resolve();
      },
    },
  ];
  const leader = createLeadership({ url, host, clock: systemClock, log: captureLogger().log, pollMs: 200, work });
  cleanups.push(() => leader.stop());
  return leader;
}

function throughProxy(url: string, proxy: TcpProxy): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(proxy.port);
  return parsed.toString();
}

/** Leaders in `events` order: never two at once. */
function maxConcurrent(events: string[]): number {
  let running = 0;
  let max = 0;
  for (const event of events) {
    running += event.endsWith(' start') ? 1 : -1;
    max = Math.max(max, running);
  }
  return max;
}

describe('fleet leadership', () => {
  it('on SQLite the one instance leads from start to stop', async () => {
    const events: string[] = [];
    const leader = instance('solo', null, events);
    await leader.start();
    expect(leader.isLeader()).toBe(true);
    await leader.stop();
    expect(leader.isLeader()).toBe(false);
    expect(events).toEqual(['solo start', 'solo stop']);
  });

  it('one instance leads; when its session is killed it stops at once and another takes over', async () => {
    const events: string[] = [];
    const a = instance('a', db.url, events);
    const b = instance('b', db.url, events);
    await a.start();
    await b.start();
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);

    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    cleanups.push(() => admin.end());
    const killedAt = Date.now();
    await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'warden leader a %'",
    );
    await until(() => !a.isLeader(), 2000, 'a to step down');
    await until(() => b.isLeader(), 5000, 'b to take over');
    const takeoverMs = Date.now() - killedAt;
    expect(takeoverMs).toBeLessThan(5000);
    expect(events.slice(0, 3)).toEqual(['a start', 'a stop', 'b start']);

    // a reconnects as a follower and takes over when b stops cleanly
    await b.stop();
    await until(() => a.isLeader(), 5000, 'a to lead again');
    expect(maxConcurrent(events)).toBe(1);
  });

  it('an instance cut off from PostgreSQL steps down at once and never leads while cut', async () => {
    const proxy = await startTcpProxy(Number(new URL(db.url).port || 5432));
    cleanups.push(() => proxy.close());
    const events: string[] = [];
    const a = instance('a', throughProxy(db.url, proxy), events);
    const b = instance('b', db.url, events);
    await a.start();
    await b.start();
    expect(a.isLeader()).toBe(true);

    proxy.cut();
    await until(() => !a.isLeader(), 1000, 'a to step down');
    await until(() => b.isLeader(), 5000, 'b to take over');
    // b stops while a is still cut: nobody may lead, least of all a
    await b.stop();
    const cutUntil = Date.now() + 2000;
    await until(() => a.isLeader() || Date.now() > cutUntil, 3000, 'the cut to last');
    expect(a.isLeader()).toBe(false);

    proxy.heal();
    await until(() => a.isLeader(), 5000, 'a to lead after the link healed');
    expect(maxConcurrent(events)).toBe(1);
    expect(events).toEqual(['a start', 'a stop', 'b start', 'b stop', 'a start']);
  });
});
