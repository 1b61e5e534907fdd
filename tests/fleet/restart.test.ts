import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/db.ts';
import { admin } from '../bot/helpers.ts';
import { startFakeTelegram, type FakeTelegram, type SentMessage } from '../fixtures/fake-telegram.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { writeConfig } from '../helpers/write-config.ts';
import { until, waitFor } from '../helpers/until.ts';
import { startDaemonProcess, type DaemonProcess } from '../store/helpers/daemon.ts';

/**
 * Restarts from Telegram in a fleet: two real warden processes on one PostgreSQL store and one fake
 * Bot API. The leader polls the bot; a restart of the other host's service goes through the store
 * and runs there. Each host's restart command appends to a file in its own folder, so the test
 * sees where a restart ran.
 */
const chat = 42;
const hosts = ['restart-a', 'restart-b'] as const;
/** The leader's wait for a host that is not running: short, so the timeout case stays quick. */
const remoteWaitMs = 3000;

let db: TestDatabase;
let dir: string;
let reader: Store;
let fake: FakeTelegram;
const daemons: DaemonProcess[] = [];

function configFor(host: string, services: string[]): string {
  return writeConfig(path.join(dir, host), {
    store: db.url,
    telegram: { apiRoot: fake.apiRoot, chats: `[{ id: ${chat} }]`, admins: `[${admin.id}]` },
    lines: [
      `host: ${host}`,
      `disk: { paths: ["${dir}"] }`,
      'fleet: { heartbeat: 1s, missed: 3, leaderPoll: 500ms }',
      'services:',
      ...services.map(
        (name) =>
          `  ${name}: { check: { command: { run: "true" } }, interval: 1d, restart: { strategy: command, command: "echo restarted >> '${path.join(dir, host, `${name}.restarts`)}'" } }`,
      ),
    ],
  });
}

/** How many times `service` was restarted on `host`. */
function restarts(host: string, service: string): number {
  const file = path.join(dir, host, `${service}.restarts`);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}

async function leads(daemon: DaemonProcess): Promise<boolean> {
  return /^warden_fleet_leader 1$/m.test(await daemon.metrics());
}

beforeAll(async () => {
  db = await createTestDatabase();
  dir = tempDir('warden-fleet-restart-');
  fake = await startFakeTelegram({ chats: [chat] });
  reader = await openStore(db.url);
  const env = { TELEGRAM_BOT_TOKEN: fake.token, WARDEN_TEST_REMOTE_WAIT_MS: String(remoteWaitMs) };
  // the first one leads: it has api only; the second also runs worker
  daemons.push(await startDaemonProcess(configFor(hosts[0], ['api']), env));
  await until(() => leads(daemons[0]!), 15_000, `${hosts[0]} to lead`);
  daemons.push(await startDaemonProcess(configFor(hosts[1], ['api', 'worker']), env));
  // the leader learns what the other host runs from its check results
  await until(
    async () =>
      (await reader.db.selectFrom('check_results').select('id').where('host', '=', hosts[1]).execute()).length === 2,
    15_000,
    `${hosts[1]}'s first checks`,
  );
}, 40_000);

afterAll(async () => {
  await Promise.all(daemons.splice(0).map((d) => (d.child.exitCode === null ? d.stop() : d.exited)));
  await reader?.close();
  await fake?.close();
  await db?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function replyTo(text: string): Promise<SentMessage> {
  const id = fake.sendText(admin, chat, text);
  await fake.waitFor(() => fake.repliesTo(chat, id).length > 0 || confirmFor(id) !== undefined, 10_000, text);
  return fake.repliesTo(chat, id)[0] ?? confirmFor(id)!;
}

/** The /restart confirmation is sent without replyTo: the newest message with buttons after `id`. */
function confirmFor(id: number): SentMessage | undefined {
  return fake.messagesTo(chat).findLast((m) => m.messageId > id && m.replyMarkup != null && m.replyTo === null);
}

async function press(message: SentMessage, data: string, timeoutMs = 10_000) {
  const id = fake.pressButton(admin, message, data);
  await fake.waitFor(() => fake.answerTo(id) !== undefined, timeoutMs, `the answer to ${data}`);
  return fake.answerTo(id)!;
}

const asked = { text: 'Asked its host; the result follows in the chat.' };

/** The newest edit of `message` once one matches `text`. */
async function editSaying(message: SentMessage, text: RegExp, timeoutMs = 10_000): Promise<string> {
  const find = () => message.edits.findLast((edit) => text.test(edit.plainText))?.plainText;
  await fake.waitFor(() => find() !== undefined, timeoutMs, `an edit saying ${text}`);
  return find()!;
}

const requests = () => reader.db.selectFrom('fleet_requests').selectAll().orderBy('id').execute();

/** /restart HOST/SERVICE runs on that host only and the confirmation says so */
async function namedHost(): Promise<void> {
  const confirm = await replyTo(`/restart ${hosts[1]}/api`);
  expect(confirm.plainText).toBe(`Restart api on ${hosts[1]} now (as ${hosts[1]}'s config says)?`);
  expect(JSON.stringify(confirm.replyMarkup)).toContain(`"rs:${hosts[1]}/api"`);
  expect(await press(confirm, `rs:${hosts[1]}/api`)).toMatchObject(asked);
  expect(confirm.edits[0]!.plainText).toBe(`⏳ Asked ${hosts[1]} to restart api…`);
  await editSaying(
    confirm,
    new RegExp(`^🔄 ${hosts[1]}/api restarted by @alice at \\d\\d:\\d\\d \\(ran "echo restarted`),
  );
  expect(restarts(hosts[1], 'api')).toBe(1);
  expect(restarts(hosts[0], 'api')).toBe(0);
  const row = (await requests()).at(-1)!;
  expect(row).toMatchObject({ host: hosts[1], service: 'api', requested_by: '@alice', ok: 1 });
  expect(row.claimed_at).not.toBeNull();
  expect(row.finished_at).not.toBeNull();
}

/** /restart SERVICE finds the one other live host that has it; the leader keeps its own */
async function foundHost(): Promise<void> {
  const confirm = await replyTo('/restart worker');
  expect(confirm.plainText).toBe(`Restart worker on ${hosts[1]} now (as ${hosts[1]}'s config says)?`);
  expect(await press(confirm, `rs:${hosts[1]}/worker`)).toMatchObject(asked);
  await editSaying(confirm, /restarted by @alice/);
  expect(restarts(hosts[1], 'worker')).toBe(1);

  const own = await replyTo('/restart api');
  expect(own.plainText).toMatch(/^Restart api now \(echo restarted/);
  expect(await press(own, 'rs:api')).toMatchObject({ text: 'Restarted.' });
  expect(restarts(hosts[0], 'api')).toBe(1);
  expect(restarts(hosts[1], 'api')).toBe(1);

  expect((await replyTo('/restart nothing')).plainText).toBe(
    `No service "nothing". Services: api; other hosts: ${hosts[1]} (HOST/SERVICE)`,
  );
}

/** Restart now under another host's alert restarts it there and records it on that host's incident only */
async function alertButton(): Promise<void> {
  await daemons[0]!.report('service-crashed:api');
  await daemons[1]!.report('service-crashed:api');
  const incidents = await reader.db
    .selectFrom('incidents')
    .selectAll()
    .where('key', '=', 'service-crashed:api')
    .execute();
  const theirs = incidents.find((i) => i.host === hosts[1])!;
  const ours = incidents.find((i) => i.host === hosts[0])!;
  const before = restarts(hosts[1], 'api');
  const actions = async (id: number) =>
    JSON.parse(
      (await reader.db.selectFrom('incidents').select('actions').where('id', '=', id).executeTakeFirstOrThrow())
        .actions,
    ) as Array<{ kind: string; detail: string }>;
  const help = await replyTo('/help');
  expect(await press(help, `rst:${theirs.id}`)).toMatchObject(asked);
  await until(async () => (await actions(theirs.id)).length > 0, 10_000, 'the restart on its incident');
  expect(restarts(hosts[1], 'api')).toBe(before + 1);
  expect(restarts(hosts[0], 'api')).toBe(1);
  expect(await actions(theirs.id)).toEqual([
    expect.objectContaining({ kind: 'manual-restart', detail: expect.stringMatching(/^restarted by @alice: ran/) }),
  ]);
  expect(await actions(ours.id)).toEqual([]);
}

/** a restart for a host that is not running gets a timeout reply and never runs */
async function hostNotRunning(): Promise<void> {
  // a host the store knows from its checks, whose warden is not running
  await reader.db
    .insertInto('check_results')
    .values({ host: 'restart-gone', service: 'api', at: Date.now(), ok: 1, detail: 'ok', latency_ms: 1 })
    .execute();
  const confirm = await replyTo('/restart restart-gone/api');
  expect(await press(confirm, 'rs:restart-gone/api')).toMatchObject(asked);
  // the bot goes on answering while it waits for the host
  const help = await replyTo('/help');
  expect(confirm.edits.at(-1)!.plainText).toBe('⏳ Asked restart-gone to restart api…');
  expect(help.plainText).toMatch(/^warden bot/);
  await editSaying(
    confirm,
    /^⚠️ Nothing restarted: restart-gone did not pick up the restart of api within \ds\. Is it down\? See the host-down runbook/,
    remoteWaitMs + 10_000,
  );
  const row = (await requests()).find((r) => r.host === 'restart-gone')!;
  expect(row).toMatchObject({ claimed_at: null, ok: 0 });
  expect(row.finished_at).not.toBeNull();
}

/** a stale request is marked expired, not run late */
async function staleRequest(): Promise<void> {
  const before = restarts(hosts[1], 'api');
  const { id } = await reader.db
    .insertInto('fleet_requests')
    .values({
      host: hosts[1],
      action: 'restart',
      service: 'api',
      requested_by: '@alice',
      created_at: Date.now() - 5 * 60_000,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const row = await waitFor(
    'the stale request to be settled',
    async () => {
      const r = await reader.db.selectFrom('fleet_requests').selectAll().where('id', '=', id).executeTakeFirst();
      return r?.finished_at != null ? r : undefined;
    },
    10_000,
  );
  expect(row).toMatchObject({ claimed_at: null, ok: 0, detail: expect.stringMatching(/^expired: /) });
  expect(restarts(hosts[1], 'api')).toBe(before);
}

// tests/store/helpers/daemon.ts kills its daemons after each test: the steps share one pair of
// daemons, so they run in one test, in order
describe('restarts from Telegram in a fleet', () => {
  it('run on the owning host only, answer a host that is not running, and never run late', async () => {
    await staleRequest();
    await namedHost();
    await foundHost();
    await alertButton();
    await hostNotRunning();
  }, 60_000);
});
