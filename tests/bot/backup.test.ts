import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from '../fixtures/fake-telegram.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { admin, chat, startBotDaemon, type BotDaemon } from './helpers.ts';

// Issue 15: /backup runs the same backup service as `warden backup run` and replies with the result.
let fake: FakeTelegram;
let warden: BotDaemon;
let dir: string;

beforeEach(async () => {
  fake = await startFakeTelegram({ chats: [chat] });
  dir = tempDir();
  fs.mkdirSync(path.join(dir, 'data'));
  fs.writeFileSync(path.join(dir, 'data', 'notes.txt'), 'hello\n'.repeat(1000));
  warden = await startBotDaemon({
    fake,
    dir,
    extra: `backups:
  dir: ${path.join(dir, 'backups')}
  targets:
    notes: { files: ["${path.join(dir, 'data')}"], schedule: "0 0 3 1 1 *" }`,
  });
  await fake.waitFor(() => fake.commandSets.length > 0, 5000, 'the bot to start');
});
afterEach(async () => {
  await warden.stop();
  await fake.close();
});

describe('/backup', () => {
  it('says it started, runs the backup and replies with the verified result', async () => {
    const id = fake.sendText(admin, chat, '/backup notes');
    await fake.waitFor(() => fake.repliesTo(chat, id).length === 2, 30_000, 'both replies');
    const [started, done] = fake.repliesTo(chat, id);
    expect(started!.plainText).toBe('⏳ Backing up notes… I will reply when it is done.');
    expect(done!.plainText).toMatch(/^✅ notes #1 good and verified: .+ in \d+s \(notes-.+\.tar\.gz\)$/);
    const rows = await warden.store.db.selectFrom('backups').selectAll().execute();
    expect(rows).toMatchObject([{ target: 'notes', state: 'good', label: 'by @alice from Telegram' }]);
  });

  it('names the configured targets when asked for an unknown one', async () => {
    const id = fake.sendText(admin, chat, '/backup nope');
    await fake.waitFor(() => fake.repliesTo(chat, id).length === 1, 5000, 'the reply');
    expect(fake.repliesTo(chat, id)[0]!.plainText).toBe('No backup target "nope". Targets: notes');
  });
});
