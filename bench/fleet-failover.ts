/**
 * How fast a fleet recovers: 3 warden daemons (real processes) on one PostgreSQL store, each behind
 * its own TCP proxy to PostgreSQL and with its own fake Bot API (so the bench sees which one polls
 * the bot). Heartbeat 2 s, 2 missed heartbeats make a host down, leader poll 500 ms.
 * - takeover: the leader is SIGKILLed; time until another instance polls the bot (target < 10 s);
 * - cut: the leader's link to PostgreSQL is cut for CUT_S seconds: time until it stops leader work,
 *   until the new leader opens host-down (target ≤ 3 heartbeats), and from the heal until it resolves.
 * Run: npx tsx bench/fleet-failover.ts [KILLS=10] [CUT_S=10]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../src/store/db.ts';
import { startDaemonProcess, type DaemonProcess } from '../tests/fixtures/daemon-client.ts';
import { startFakeTelegram, type FakeTelegram } from '../tests/fixtures/fake-telegram.ts';
import { startTcpProxy, type TcpProxy } from '../tests/fixtures/tcp-proxy.ts';
import { createTestDatabase } from '../tests/helpers/postgres.ts';
import { waitFor } from '../tests/helpers/until.ts';
import { writeConfig } from '../tests/helpers/write-config.ts';
import { percentile, table } from './lib/alert-stack.ts';

const kills = Number(process.argv[2] ?? 10);
const cutMs = Number(process.argv[3] ?? 10) * 1000;
const heartbeatMs = 2000;
const missed = 2;
const hosts = ['fleet-a', 'fleet-b', 'fleet-c'];

const database = await createTestDatabase();
const store = await openStore(database.url);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-bench-failover-'));
const fakes: FakeTelegram[] = [];
const proxies: TcpProxy[] = [];
const daemons: DaemonProcess[] = [];
const configs: string[] = [];

const start = (i: number) =>
  startDaemonProcess(configs[i]!, { TELEGRAM_BOT_TOKEN: fakes[i]!.token, WARDEN_TEST_LOCK: '1' });

async function leads(daemon: DaemonProcess): Promise<boolean> {
  if (daemon.child.exitCode !== null || daemon.child.signalCode !== null) return false;
  try {
    return /^warden_fleet_leader 1$/m.test(await daemon.metrics());
  } catch {
    return false;
  }
}

const leader = () =>
  waitFor(
    'one leader',
    async () => {
      const flags = await Promise.all(daemons.map(leads));
      return flags.filter(Boolean).length === 1 ? flags.indexOf(true) : undefined;
    },
    60_000,
  );

const hostDown = (host: string) =>
  store.db
    .selectFrom('incidents')
    .selectAll()
    .where('key', '=', `host-down:${host}`)
    .orderBy('id', 'desc')
    .executeTakeFirst();

try {
  for (const host of hosts) {
    const fake = await startFakeTelegram({ chats: [42] });
    const proxy = await startTcpProxy(Number(new URL(database.url).port || 5432));
    const url = new URL(database.url);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    fakes.push(fake);
    proxies.push(proxy);
    configs.push(
      writeConfig(path.join(dir, host), {
        store: url.toString(),
        telegram: { apiRoot: fake.apiRoot, chats: '[{ id: 42 }]', admins: '[7]' },
        lines: [`host: ${host}`, `fleet: { heartbeat: ${heartbeatMs / 1000}s, missed: ${missed}, leaderPoll: 500ms }`],
      }),
    );
  }
  for (const [i] of hosts.entries()) daemons[i] = await start(i);

  const takeovers: number[] = [];
  for (let n = 0; n < kills; n++) {
    const old = await leader();
    const polls = fakes.map((f) => f.updateOffsets.length);
    const killedAt = Date.now();
    daemons[old]!.child.kill('SIGKILL');
    await daemons[old]!.exited;
    await waitFor(
      'another instance to poll the bot',
      () => (fakes.some((f, j) => j !== old && f.updateOffsets.length > polls[j]!) ? true : undefined),
      60_000,
    );
    takeovers.push(Date.now() - killedAt);
    daemons[old] = await start(old);
    process.stderr.write(`takeover ${n + 1}/${kills}: ${takeovers.at(-1)} ms\n`);
  }

  const cut = await leader();
  const host = hosts[cut]!;
  const cutAt = Date.now();
  proxies[cut]!.cut();
  const lost = await daemons[cut]!.waitForLog((l) => l.msg === 'leadership lost; leader work stopping', 'step-down');
  const opened = await waitFor(
    'host-down open',
    async () => {
      const row = await hostDown(host);
      return row && row.state !== 'resolved' ? row : undefined;
    },
    60_000,
  );
  await new Promise((r) => setTimeout(r, Math.max(0, cutAt + cutMs - Date.now())));
  proxies[cut]!.heal();
  const healedAt = Date.now();
  const resolved = await waitFor(
    'host-down resolved',
    async () => {
      const row = await hostDown(host);
      return row?.state === 'resolved' ? row : undefined;
    },
    60_000,
  );

  const sorted = [...takeovers].sort((a, b) => a - b);
  console.log(
    table(
      ['measure', 'value', 'target'],
      [
        [
          `takeover after a leader SIGKILL (${kills}×)`,
          `p50 ${percentile(sorted, 0.5)} ms, max ${sorted.at(-1)} ms`,
          '< 10 s',
        ],
        [`cut leader stops leader work`, `${Number(lost.time) - cutAt} ms`, 'at once'],
        [
          'host-down opened after the cut',
          `${Number(opened.opened_at) - cutAt} ms (${((Number(opened.opened_at) - cutAt) / heartbeatMs).toFixed(1)} heartbeats)`,
          `≤ ${missed + 1} heartbeats`,
        ],
        ['host-down resolved after the heal', `${Number(resolved.resolved_at) - healedAt} ms`, '—'],
      ],
    ),
  );
  console.log(
    `\n${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(2)}; heartbeat ${heartbeatMs} ms, cut ${cutMs} ms`,
  );
} finally {
  for (const daemon of daemons)
    if (daemon.child.exitCode === null && daemon.child.signalCode === null) await daemon.stop();
  for (const proxy of proxies) await proxy.close();
  for (const fake of fakes) await fake.close();
  await store.close();
  await database.drop();
  fs.rmSync(dir, { recursive: true, force: true });
}
