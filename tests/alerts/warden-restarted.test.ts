import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { createDaemon } from '../../src/daemon.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { openStore } from '../../src/store/db.ts';
import { startFakeTelegram, type FakeTelegram } from '../fixtures/fake-telegram.ts';
import { noPace } from '../fixtures/no-pace.ts';
import { captureLogger } from '../helpers/logger.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { until } from '../helpers/until.ts';
import { fastTuning } from './helpers/harness.ts';

let fake: FakeTelegram;
afterEach(() => fake.close());

describe('warden-restarted', () => {
  it('is announced (info, silent) at start when the previous run did not stop cleanly, and not after a clean stop', async () => {
    const dir = tempDir();
    fake = await startFakeTelegram({ chats: [42] });
    const yaml = `host: prod-1\nstore: { url: "sqlite:${path.join(dir, 'warden.db')}" }\nhttp: { listen: "127.0.0.1:0" }\ntelegram:\n  apiRoot: ${fake.apiRoot}\n  chats: [{ id: 42 }]\n`;
    const { config } = parseConfig(yaml, 'warden.config.yaml', {
      env: { TELEGRAM_BOT_TOKEN: fake.token },
      baseDir: dir,
    });
    const run = async (stopCleanly: boolean): Promise<void> => {
      const store = await openStore(config.store.url);
      const daemon = createDaemon({
        config,
        store,
        log: captureLogger().log,
        clock: systemClock,
        version: 'test',
        alerts: { pace: noPace, tuning: fastTuning },
      });
      await daemon.start();
      // start() queued the notice, if any: wait until the outbox has sent everything
      await until(
        async () =>
          (await store.db.selectFrom('outbox').select('id').where('state', '=', 'pending').execute()).length === 0,
        10_000,
        'no pending outbox row',
      );
      if (stopCleanly) await daemon.stop();
      // otherwise the store goes away under the daemon, so its stop is never recorded (as after SIGKILL)
      await store.close();
      await daemon.stop();
    };
    // first run dies without recording a stop (the store closes under it, as after SIGKILL)
    await run(false);
    expect(fake.messages).toHaveLength(0);
    await run(true);
    expect(fake.messages).toHaveLength(1);
    expect(fake.messages[0]).toMatchObject({ disableNotification: true });
    expect(fake.messages[0]!.plainText).toMatch(
      /^🔵 warden restarted after an unclean stop\nINFO · on prod-1 · since .*\nthe previous run \(pid \d+\) was last seen at .* and did not stop cleanly/,
    );
    await run(true);
    expect(fake.messages).toHaveLength(1);
  });
});
