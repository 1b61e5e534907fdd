import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/db.ts';
import { startFakeTelegram, type FakeTelegram } from '../fixtures/fake-telegram.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { writeConfig } from '../helpers/write-config.ts';
import { until, waitFor } from '../helpers/until.ts';
import { startDaemonProcess, type DaemonProcess } from './helpers/daemon.ts';

const chats = [-1001, -1002, -1003];
// 300 incidents, 900 alerts: three hosts each sending to three chats, a drain long enough to cut one mid-way
const perHost = 100;

let fake: FakeTelegram;
let database: TestDatabase;
let reader: Store;
beforeEach(async () => {
  fake = await startFakeTelegram({ chats });
  database = await createTestDatabase();
  reader = await openStore(database.url);
});
afterEach(async () => {
  await reader.close();
  await fake.close();
  await database.drop();
});

function configFor(dir: string, host: string): string {
  return writeConfig(path.join(dir, host), {
    store: database.url,
    telegram: { apiRoot: fake.apiRoot, chats: `[${chats.map((id) => `{ id: ${id} }`).join(', ')}]` },
    lines: [`host: ${host}`],
  });
}

/** A fleet member: the store lock as `warden run` takes it, a 5 s claim lease, one message per alert. */
const env = (): NodeJS.ProcessEnv => ({
  TELEGRAM_BOT_TOKEN: fake.token,
  WARDEN_TEST_LOCK: '1',
  WARDEN_TEST_CLAIM_MS: '5000',
  WARDEN_TEST_UNPACED: '1',
});

describe('fleet mode: three daemons on one PostgreSQL store', () => {
  it(
    'delivers every alert of 300 incidents to 3 chats once (a sender SIGKILLed mid-drain: duplicates ≤ its sends in flight), one daemon per host',
    { timeout: 600_000 },
    async () => {
      const dir = tempDir();
      const hosts = ['h1', 'h2', 'h3'];
      const daemons = new Map<string, DaemonProcess>();
      for (const host of hosts) daemons.set(host, await startDaemonProcess(configFor(dir, host), env()));
      // each send takes a moment at Telegram, so the drain lasts long enough to be cut
      fake.failNext(hosts.length * perHost * chats.length, { kind: 'delay', ms: 30 }, 'sendMessage');

      const started = Date.now();
      await Promise.all(
        hosts.map(async (host) => {
          for (let n = 0; n < perHost; n++) await daemons.get(host)!.report(`service-down:svc-${host}-${n}`);
        }),
      );
      const perIncidentHost = await reader.db
        .selectFrom('incidents')
        .select(['host', (eb) => eb.fn.countAll<number>().as('n')])
        .where('key', 'like', 'service-down:svc-%')
        .groupBy('host')
        .orderBy('host')
        .execute();
      expect(perIncidentHost.map((r) => [r.host, Number(r.n)])).toEqual(hosts.map((h) => [h, perHost]));

      // the victim: an instance with a send in flight once the drain is well under way
      const victim = await waitFor('a sender in flight mid-drain', async () => {
        if (fake.messages.length < (hosts.length * perHost * chats.length) / 3) return undefined;
        const row = await reader.db
          .selectFrom('outbox')
          .select('claim_host')
          .where('state', '=', 'pending')
          .where('sending_at', 'is not', null)
          .executeTakeFirst();
        return row?.claim_host ?? undefined;
      });
      const killed = daemons.get(victim)!;
      killed.child.kill('SIGKILL');
      await killed.exited;
      daemons.delete(victim);
      const inFlight = await reader.db
        .selectFrom('outbox')
        .select(['id', 'kind'])
        .where('state', '=', 'pending')
        .where('claim_host', '=', victim)
        .where('sending_at', 'is not', null)
        .execute();
      const deliveredAtKill = fake.messages.length;

      const total = hosts.length * perHost * chats.length;
      const reported = Date.now() - started;
      await until(
        async () => {
          // (the host watchers of a loaded machine may open incidents of their own: only ours count)
          const row = await reader.db
            .selectFrom('outbox')
            .innerJoin('incidents', 'incidents.id', 'outbox.incident_id')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('outbox.kind', '=', 'incident')
            .where('outbox.state', '=', 'sent')
            .where('incidents.key', 'like', 'service-down:svc-%')
            .executeTakeFirst();
          return Number(row?.n) === total;
        },
        180_000,
        `all ${total} alerts sent`,
      );

      // every alert reached its chat; copies beyond one are only the sends cut off by the kill
      const copies = new Map<string, number>();
      for (const message of fake.messages) {
        const subject = /svc-h\d-\d+\b/.exec(message.plainText)?.[0];
        if (subject) copies.set(`${message.chatId} ${subject}`, (copies.get(`${message.chatId} ${subject}`) ?? 0) + 1);
      }
      const duplicates = [...copies.values()].reduce((sum, n) => sum + n - 1, 0);
      const duplicated = [...copies].filter(([, n]) => n > 1).map(([what]) => what);
      console.log(
        `fleet: ${total} alerts; reported in ${reported} ms, all delivered ${Date.now() - started} ms after the first report; ` +
          `${deliveredAtKill} delivered at the kill of ${victim}, ${inFlight.length} in flight, ${duplicates} duplicates ${duplicated.join(', ')}`,
      );
      expect(copies.size).toBe(total);
      expect(duplicates).toBeLessThanOrEqual(inFlight.length);
      // the sends cut off were taken over by the survivors and say so
      const resent = await reader.db.selectFrom('outbox').select('id').where('resent', '=', 1).execute();
      expect(resent.map((r) => r.id).sort()).toEqual(
        inFlight
          .filter((r) => r.kind !== 'edit')
          .map((r) => r.id)
          .sort(),
      );

      // the same host again is refused and names the holder; a new host joins
      const holder = daemons.values().next().value!;
      const holderHost = [...daemons.entries()].find(([, d]) => d === holder)![0];
      const refusal = await startDaemonProcess(configFor(dir, holderHost), env()).catch((err: unknown) => err);
      expect(String(refusal)).toContain(
        `in use by another warden daemon (pid ${holder.child.pid}) for host ${holderHost}`,
      );
      const joined = await startDaemonProcess(configFor(dir, 'h4'), env());
      expect((await joined.healthz()).status).toBe(200);
      expect(await joined.stop()).toBe(0);
      for (const daemon of daemons.values()) expect(await daemon.stop()).toBe(0);
    },
  );
});
