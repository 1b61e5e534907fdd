import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/lib/clock.ts';
import type { Part } from '../../src/lib/part.ts';
import { createPm2Client } from '../../src/pm2/client.ts';
import { Dependencies } from '../../src/supervision/dependencies.ts';
import { createPm2Events } from '../../src/supervision/pm2-events.ts';
import { createHarness, type Harness } from '../alerts/helpers/harness.ts';
import type { FakeTelegram } from '../fixtures/fake-telegram.ts';
import { captureLogger } from '../helpers/logger.ts';
import { appsDir } from '../helpers/pm2.ts';
import { until } from '../helpers/until.ts';
import { configFrom } from '../helpers/service.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { usePm2AndTelegram } from './helpers/warden-on-pm2.ts';

// Issue 8: a service that crashes again while its service-crashed alert is open updates that
// alert in place (count, first and last time, freshest stderr), and sends no new message.
const { pm2, chat, fake: currentFake } = usePm2AndTelegram();
let fake: FakeTelegram;
let h: Harness;
const started: Part[] = [];

beforeEach(async () => {
  fake = currentFake();
  h = await createHarness({ fake, dir: tempDir(), telegram: `chats: [{ id: ${chat} }]` });
  await h.start();
});
afterEach(async () => {
  for (const part of started.splice(0).reverse()) await part.stop();
  await h.stop();
});

describe('repeat crashes', () => {
  it('three crashes of one app inside 60 s: one message, edited to show 3 crashes', async () => {
    await pm2.startApps([{ name: 'api', script: path.join(appsDir, 'http-app.mjs'), env: { PORT: '0' } }]);
    // maxRestarts above the crashes: this is about the crash alert, not the crash loop
    const config = configFrom(
      'services:\n  api:\n    pm2: api\n    check: { pm2: {} }\n    restart: { maxRestarts: 10 }\n',
    );
    const { log } = captureLogger();
    const client = createPm2Client({ home: pm2.home, log, clock: systemClock, probeIntervalMs: 200 });
    const events = createPm2Events({
      client,
      services: Object.values(config.services),
      incidents: h.incidents,
      dependencies: new Dependencies(config.services),
      clock: systemClock,
      log,
      stableMs: 60_000,
    });
    for (const part of [client, events]) {
      await part.start();
      started.push(part);
    }
    await until(() => client.attached(), 5000, 'pm2 attached');
    const firstAt = Date.now();
    for (let crash = 1; crash <= 3; crash++) {
      const pid = (await client.describe('api'))!.pid!;
      process.kill(pid, 'SIGKILL');
      await until(
        async () => ![null, pid].includes((await client.describe('api'))?.pid ?? null),
        10_000,
        'pm2 to restart api',
      );
    }
    expect(Date.now() - firstAt).toBeLessThan(60_000);
    await fake.waitFor(
      () => fake.messagesTo(chat)[0]?.edits.some((e) => e.plainText.includes('crashed 3×')) ?? false,
      10_000,
      'the alert edited to 3 crashes',
    );
    const messages = fake.messagesTo(chat);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.plainText).toMatch(/^🟠 Service crashed and was restarted by pm2 · api/);
    expect(messages[0]!.edits.at(-1)!.plainText).toMatch(/🔁 crashed 3× since \d\d:\d\d, last \d\d:\d\d/);
  });
});
