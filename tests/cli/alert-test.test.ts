import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.ts';
import { openStore } from '../../src/store/db.ts';
import { createHarness } from '../alerts/helpers/harness.ts';
import { startFakeTelegram, type FakeTelegram } from '../fixtures/fake-telegram.ts';
import { captureIo } from '../helpers/io.ts';
import { tempDir } from '../helpers/temp-dir.ts';

let fake: FakeTelegram;
let dir: string;
let configFile: string;

function writeConfig(chats: string): void {
  fs.writeFileSync(
    configFile,
    [
      'host: prod-1',
      `store: { url: "sqlite:${path.join(dir, 'warden.db')}" }`,
      'telegram:',
      `  apiRoot: ${fake.apiRoot}`,
      `  chats: ${chats}`,
    ].join('\n'),
  );
}

beforeEach(async () => {
  dir = tempDir();
  configFile = path.join(dir, 'warden.config.yaml');
  fake = await startFakeTelegram({ chats: [42, -1001, { id: 7, blocked: true }] });
  writeConfig('[{ id: 42 }, { id: -1001, thread: 3, minSeverity: critical }]');
});
afterEach(() => fake.close());

const run = async (args: string[], env: NodeJS.ProcessEnv = { TELEGRAM_BOT_TOKEN: fake.token }) => {
  const io = captureIo(env);
  const code = await main(['alert', 'test', '--config', configFile, ...args], io);
  return { code, out: io.stdout, err: io.stderr };
};

describe('warden alert test', () => {
  it('delivers to every chat whatever its minSeverity and prints the message_id Telegram assigned', async () => {
    const { code, out } = await run([]);
    expect(code).toBe(0);
    expect(out).toEqual(['✓ chat 42: delivered, message_id 1', '✓ chat -1001: delivered, message_id 1']);
    expect(fake.messagesTo(-1001)[0]).toMatchObject({ threadId: 3, disableNotification: false });
    expect(fake.messagesTo(42)[0]!.plainText).toMatch(/^🧪 Test alert\nwarden on prod-1 can reach chat 42/);
  });

  it('tests one chat with --chat', async () => {
    const { code, out } = await run(['--chat', '42']);
    expect([code, out]).toEqual([0, ['✓ chat 42: delivered, message_id 1']]);
  });

  it('exits 1 and says why for a blocked chat or one the bot is not in', async () => {
    writeConfig('[{ id: 42 }, { id: 7 }, { id: -1001234 }]');
    const { code, out } = await run([]);
    expect(code).toBe(1);
    expect(out).toEqual([
      '✓ chat 42: delivered, message_id 1',
      '✗ chat 7: bot was blocked by the user: add or unblock the bot, or remove the chat from telegram.chats',
      '✗ chat -1001234 not found: add the bot to the group or correct the id in telegram.chats',
    ]);
  });

  it('exits 1 when Telegram cannot be reached within the timeout, and abandons the row', async () => {
    await fake.down();
    const { code, out } = await run(['--chat', '42', '--timeout', '1s']);
    expect(code).toBe(1);
    expect(out[0]).toMatch(/^✗ chat 42: not delivered within 1s \(Telegram unreachable \(.*ECONNREFUSED.*\)\)$/);
    const store = await openStore(`sqlite:${path.join(dir, 'warden.db')}`);
    expect(await store.db.selectFrom('outbox').select('state').execute()).toEqual([{ state: 'abandoned' }]);
    await store.close();
  });

  it('refuses in dry-run, where nothing can reach a phone', async () => {
    const { code, err } = await run([], {});
    expect(code).toBe(1);
    expect(err).toEqual([
      'warden alert test: dry-run: TELEGRAM_BOT_TOKEN is not set, so alerts go to the log, not Telegram; set it and run again',
    ]);
  });

  it('is delivered once while a daemon drains the same outbox', async () => {
    const daemon = await createHarness({
      fake,
      dir,
      storeUrl: `sqlite:${path.join(dir, 'warden.db')}`,
      telegram: 'chats: [{ id: 42 }]',
    });
    await daemon.start();
    try {
      const { code } = await run(['--chat', '42']);
      expect(code).toBe(0);
      await daemon.idle();
      expect(fake.messages).toHaveLength(1);
    } finally {
      await daemon.stop();
    }
  });

  it('rejects an unknown subcommand', async () => {
    const io = captureIo({});
    expect(await main(['alert', 'send', '--config', configFile], io)).toBe(64);
    expect(io.stderr[0]).toMatch(/^warden alert: unknown subcommand "send"; usage: warden alert test/);
  });
});
