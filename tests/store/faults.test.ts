import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/db.ts';
import { startFakeTelegram, type FakeTelegram } from '../fixtures/fake-telegram.ts';
import { adminUrl, createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { mountTmpfs } from '../helpers/tmpfs.ts';
import { until } from '../helpers/until.ts';
import { writeConfig } from '../helpers/write-config.ts';
import { startDaemonProcess, untilAlertInFlight, type DaemonProcess } from './helpers/daemon.ts';

let fake: FakeTelegram;
let service: net.Server;
let servicePort: number;
const cleanups: Array<() => Promise<void> | void> = [];

beforeEach(async () => {
  fake = await startFakeTelegram({ chats: [42] });
  service = net.createServer((socket) => socket.end());
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  servicePort = (service.address() as net.AddressInfo).port;
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  if (service.listening) await new Promise((r) => service.close(r));
  await fake.close();
});

/** A daemon on `storeUrl` watching the tcp service, with its disk check on `dir`. */
function configOn(dir: string, storeUrl: string): string {
  return writeConfig(dir, {
    store: storeUrl,
    telegram: { apiRoot: fake.apiRoot, chats: '[{ id: 42 }]' },
    lines: [
      'host: prod-1',
      `disk: { paths: ["${dir}"] }`,
      'services:',
      `  api: { check: { tcp: { host: 127.0.0.1, port: ${servicePort}, timeout: 500ms } }, interval: 1s, failureThreshold: 1, restart: { strategy: none } }`,
    ],
  });
}

const titles = (): string[] => fake.messages.map((m) => m.plainText.split('\n')[0]!);
const lastResort = (location: string) => `warden cannot write its store at ${location}: `;

/**
 * The part every fault shares: an alert in flight when the fault hits (Telegram answers it late),
 * the fault, then the service failing during the outage.
 */
async function faultWhileSending(
  daemon: DaemonProcess,
  storeUrl: string,
  inject: () => Promise<void>,
  location: string,
  recordRefused: boolean,
): Promise<void> {
  await until(async () => (await daemon.healthz()).status === 200, 15_000, 'healthz 200');
  fake.failNext(1, { kind: 'delay', ms: 1500 }, 'sendMessage');
  await daemon.report('disk-usage:/');
  await untilAlertInFlight(storeUrl);
  await inject();

  const failing = await daemon.waitForLog(
    (l) => l.msg === 'store failing: alerts cannot be recorded; sending the last-resort message',
    'store failing',
  );
  expect(failing.failures).toBeLessThanOrEqual(3);
  expect((await daemon.healthz()).status).toBe(503);
  await fake.waitFor(
    () => fake.messages.some((m) => m.plainText.startsWith(lastResort(location))),
    10_000,
    'last-resort',
  );
  expect(await daemon.metrics()).toMatch(/^warden_store_errors_total [1-9]\d*$/m);
  await fake.waitFor(() => titles().includes('🟠 Disk filling up · /'), 10_000, 'the in-flight alert');
  if (recordRefused)
    await daemon.waitForLog(
      (l) => String(l.msg).startsWith('alert delivered but the store refused the record') && l.key === 'disk-usage:/',
      'the delivery kept in memory',
    );

  // the service fails while the store is out, and a few more heartbeats fail
  await new Promise((r) => service.close(r));
  await daemon.waitForLog((l) => l.msg === 'service down', 'service down');
  const errors = Number(/^warden_store_errors_total (\d+)$/m.exec(await daemon.metrics())![1]);
  await until(
    async () => Number(/^warden_store_errors_total (\d+)$/m.exec(await daemon.metrics())![1]) >= errors + 3,
    10_000,
    'three more store errors',
  );
  // Telegram accepted the in-flight alert; a store that refused the record must not make it send it again
  expect(titles().filter((t) => t === '🟠 Disk filling up · /')).toHaveLength(1);
}

async function expectRepaired(storeUrl: string): Promise<void> {
  await fake.waitFor(() => titles().includes('🔴 Service down · api'), 20_000, 'the service-down alert');
  const store = await openStore(storeUrl);
  try {
    await until(
      async () => (await store.db.selectFrom('outbox').select('state').execute()).every((r) => r.state === 'sent'),
      15_000,
      'every alert recorded as sent',
    );
    const rows = await store.db.selectFrom('outbox').selectAll().orderBy('id').execute();
    const sent = new Map(fake.messagesTo(42).map((m) => [String(m.messageId), m.plainText.split('\n')[0]]));
    // nothing Telegram accepted is lost: each row carries the message_id of the one copy sent
    expect(rows.map((r) => sent.get(r.message_id!))).toEqual(['🟠 Disk filling up · /', '🔴 Service down · api']);
  } finally {
    await store.close();
  }
  const alerts = titles().filter((t) => !t.startsWith('warden '));
  expect(alerts).toEqual(['🟠 Disk filling up · /', '🔴 Service down · api']);
  expect(fake.messages.filter((m) => m.plainText.startsWith('warden cannot write'))).toHaveLength(1);
}

describe("warden's own store failing (acceptance)", { timeout: 150_000 }, () => {
  it('SQLite file deleted: 503 and the last-resort message; a restart writes the open copy back, nothing lost or repeated', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'data', 'warden.db');
    const storeUrl = `sqlite:${file}`;
    const config = configOn(dir, storeUrl);
    const daemon = await startDaemonProcess(config, { TELEGRAM_BOT_TOKEN: fake.token });
    await faultWhileSending(daemon, storeUrl, () => Promise.resolve(fs.rmSync(file)), file, false);
    expect(fake.messages.find((m) => m.plainText.startsWith(lastResort(file)))!.plainText).toContain(
      'the database file was deleted',
    );
    // writes still reach the open copy, so the service-down alert goes out through the outbox
    await fake.waitFor(() => titles().includes('🔴 Service down · api'), 20_000, 'the service-down alert');

    expect(await daemon.stop()).toBe(0);
    expect(fs.existsSync(file)).toBe(true);
    const again = await startDaemonProcess(config, { TELEGRAM_BOT_TOKEN: fake.token });
    await until(async () => (await again.healthz()).status === 200, 15_000, 'healthz 200 after restart');
    await expectRepaired(storeUrl);
    expect(await again.stop()).toBe(0);
    expect(titles().filter((t) => !t.startsWith('warden '))).toEqual([
      '🟠 Disk filling up · /',
      '🔴 Service down · api',
    ]);
  });

  it('disk full under the store: 503 and the last-resort message; once space is freed the held alert arrives, nothing sent twice', async (ctx) => {
    const dir = tempDir();
    const mounted = mountTmpfs(4);
    if ('skip' in mounted) {
      ctx.skip(`${mounted.skip}: the test fills one`);
      return;
    }
    cleanups.push(() => mounted.unmount());
    const mount = mounted.dir;
    const file = path.join(mount, 'warden.db');
    const storeUrl = `sqlite:${file}`;
    const daemon = await startDaemonProcess(configOn(dir, storeUrl), { TELEGRAM_BOT_TOKEN: fake.token });
    const filler = path.join(mount, 'filler');
    await faultWhileSending(
      daemon,
      storeUrl,
      () => {
        try {
          fs.writeFileSync(filler, Buffer.alloc(8 * 1024 * 1024));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
        }
        return Promise.resolve();
      },
      file,
      true,
    );
    expect(fake.messages.find((m) => m.plainText.startsWith(lastResort(file)))!.plainText).toMatch(
      /disk is full|SQLITE_FULL/,
    );

    fs.rmSync(filler);
    await daemon.waitForLog((l) => l.msg === 'store writable again', 'store writable again');
    await fake.waitFor(
      () => fake.messages.some((m) => m.plainText.startsWith(`warden can write its store at ${file} again`)),
      10_000,
      'recovery message',
    );
    await expectRepaired(storeUrl);
    await until(async () => (await daemon.healthz()).status === 200, 10_000, 'healthz 200 again');
    expect(await daemon.stop()).toBe(0);
  });

  it('PostgreSQL store database renamed away: 503 and the last-resort message; renamed back, the held alert arrives, nothing sent twice', async () => {
    const database: TestDatabase = await createTestDatabase();
    cleanups.push(() => database.drop());
    const name = new URL(database.url).pathname.slice(1);
    const location = `127.0.0.1:5432/${name}`;
    const dir = tempDir();
    const daemon = await startDaemonProcess(configOn(dir, database.url), { TELEGRAM_BOT_TOKEN: fake.token });
    const admin = async (sql: string): Promise<void> => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    };
    const moved = `${name}_moved`;
    cleanups.push(async () => {
      await admin(`ALTER DATABASE ${moved} RENAME TO ${name}`).catch(() => undefined);
    });
    await faultWhileSending(
      daemon,
      database.url,
      async () => {
        await admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
        await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}'`);
        await admin(`ALTER DATABASE ${name} RENAME TO ${moved}`);
      },
      location,
      true,
    );
    expect(fake.messages.find((m) => m.plainText.startsWith(lastResort(location)))!.plainText).toMatch(
      /does not exist|not currently accepting connections|terminat/,
    );

    await admin(`ALTER DATABASE ${moved} RENAME TO ${name}`);
    await admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    await daemon.waitForLog((l) => l.msg === 'store writable again', 'store writable again');
    await expectRepaired(database.url);
    expect(await daemon.stop()).toBe(0);
  });
});
