import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { parseConfig } from '../../src/config/load.ts';
import { createDaemon, type Daemon } from '../../src/daemon.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import type { SupervisionTuning } from '../../src/supervision/index.ts';
import type { FakeTelegram } from '../../tests/fixtures/fake-telegram.ts';
import { noPace } from '../../tests/fixtures/no-pace.ts';

export { appsDir, createPm2Home } from '../../tests/helpers/pm2.ts';

/**
 * The real daemon for a benchmark: sqlite store and JSON log file in a temp folder, stdout
 * discarded, alerts to the fake Bot API (pacing off) or to the log when `fake` is null.
 */
export async function supervisedDaemon(options: {
  services: string;
  fake: FakeTelegram | null;
  supervision?: SupervisionTuning;
}): Promise<{ daemon: Daemon; store: Store; dir: string; stop(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-bench-supervision-'));
  const telegram = options.fake ? `telegram: { apiRoot: "${options.fake.apiRoot}", chats: [{ id: 42 }] }` : '';
  const yaml = `host: bench\ntimezone: UTC\nhttp: { listen: "127.0.0.1:0" }\n${telegram}\nservices:\n${options.services}`;
  const env = options.fake ? { TELEGRAM_BOT_TOKEN: options.fake.token } : {};
  const { config } = parseConfig(yaml, 'warden.config.yaml', { env, baseDir: dir });
  const store = await openStore(config.store.url);
  const logger = await createLogger({
    level: 'info',
    stdout: 'json',
    file: config.log.file,
    maxFileBytes: config.log.maxFileBytes,
    keepFiles: config.log.keepFiles,
    secrets: [],
    stdoutStream: new Writable({ write: (_chunk, _encoding, done) => done() }),
  });
  const daemon = createDaemon({
    config,
    store,
    log: logger.log,
    clock: systemClock,
    version: 'bench',
    alerts: { pace: noPace },
    supervision: { hostHealth: false, ...options.supervision },
  });
  await daemon.start();
  return {
    daemon,
    store,
    dir,
    stop: async () => {
      await daemon.stop();
      await store.close();
      await logger.close();
      if (!process.env.KEEP) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls (real time) until `condition` holds. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** A free port on 127.0.0.1 (bound, then released). */
export async function freePort(): Promise<number> {
  const net = await import('node:net');
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
