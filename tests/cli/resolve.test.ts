import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.ts';
import { incidentHistory } from '../../src/store/incidents.ts';
import { createHarness, type Harness } from '../alerts/helpers/harness.ts';
import { startFakeTelegram, type FakeTelegram } from '../fixtures/fake-telegram.ts';
import { captureIo } from '../helpers/io.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('warden resolve', () => {
  let fake: FakeTelegram;
  let h: Harness;
  let config: string;

  beforeEach(async () => {
    fake = await startFakeTelegram({ chats: [42] });
    const dir = tempDir();
    h = await createHarness({ fake, dir, telegram: 'chats: [{ id: 42 }]' });
    await h.start();
    config = path.join(dir, 'cli.config.yaml');
    fs.writeFileSync(config, `host: prod-1\nstore: { url: "${h.storeUrl}" }\ntelegram: { chats: [{ id: 42 }] }\n`);
  });
  afterEach(async () => {
    await h.stop();
    await fake.close();
  });

  it('closes an incident by hand, records who and why, and the running daemon edits the alert', async () => {
    const opened = await h.incidents.report('crash-loop:bot', { detail: 'bot exited 5× within 30m' });
    await fake.waitForMessages(1);
    const io = captureIo();
    expect(
      await main(['resolve', `#${opened.incident.id}`, '--reason', 'fixed the config', '--config', config], io),
    ).toBe(0);
    expect(io.stdout).toEqual([`resolved #${opened.incident.id} crash-loop:bot`]);
    const alert = fake.messagesTo(42)[0]!;
    await fake.waitFor(() => alert.edits.some((e) => e.plainText.startsWith('✅ Resolved')), 10_000, 'the edit');
    const history = await incidentHistory(h.store.db, opened.incident.id);
    expect(history.at(-1)).toMatchObject({
      event: 'resolved',
      detail: expect.stringMatching(/^by shell:\S+: fixed the config$/),
    });
    expect(await h.incidents.stateOf('crash-loop:bot')).toBeNull();
  });

  it('resolves by key without a reason', async () => {
    await h.incidents.report('service-down:api', { detail: 'connection refused' });
    const io = captureIo();
    expect(await main(['resolve', 'service-down:api', '--config', config], io)).toBe(0);
    expect(await h.incidents.stateOf('service-down:api')).toBeNull();
  });

  it('exits 64 on a usage error and 1 with one line when there is no such open incident', async () => {
    const none = captureIo();
    expect(await main(['resolve', '--config', config], none)).toBe(64);
    expect(none.stderr).toEqual(['warden resolve: name one incident, e.g. warden resolve 12 --reason "fixed by hand"']);
    expect(await main(['resolve', '1', '2', '--config', config], captureIo())).toBe(64);
    expect(await main(['resolve', '1', '--reason', '--config', config], captureIo())).toBe(64);
    const missing = captureIo();
    expect(await main(['resolve', '#7', '--config', config], missing)).toBe(1);
    expect(missing.stderr).toEqual(['warden resolve: no open incident #7; warden incidents lists them']);
  });
});
