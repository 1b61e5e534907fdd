import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/db.ts';
import { appsDir } from '../helpers/pm2.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { until } from '../helpers/until.ts';
import { healthz, onPm2, usePm2AndTelegram } from './helpers/warden-on-pm2.ts';

// Issue 11's fresh evidence, end to end: the real daemon, a real pm2 app writing its error log, the
// fake Bot API. pm2 logs carry no timestamps: warden reads the log's end before each check and,
// when the check passes, only what comes after it is evidence of a later failure.
const { pm2, chat, fake, startWarden, startHttpApp } = usePm2AndTelegram();
const crashAtStart = path.join(appsDir, 'crash-at-start.mjs');
const staleLine = 'Error: ENOENT: no such file or directory, open /srv/web/config.json';
const hourAgo = () => new Date(Date.now() - 3_600_000);

async function startWeb(): Promise<{
  port: number;
  errorLog: string;
  say: (line: string, times?: number) => Promise<void>;
}> {
  const errorLog = path.join(tempDir(), 'web-error.log');
  const port = await startHttpApp('web', { error_file: errorLog });
  const get = (what: string) => fetch(`http://127.0.0.1:${port}${what}`).then((r) => r.text());
  await until(
    () =>
      get('/healthz').then(
        (t) => t === 'ok',
        () => false,
      ),
    15_000,
    'the app listening',
  );
  const say = async (line: string, times = 1): Promise<void> => {
    const before = fs.existsSync(errorLog) ? fs.readFileSync(errorLog, 'utf8').split(line).length - 1 : 0;
    await get(`/log?line=${encodeURIComponent(line)}&times=${times}`);
    await until(
      () => fs.existsSync(errorLog) && fs.readFileSync(errorLog, 'utf8').split(line).length - 1 === before + times,
      10_000,
      `${times}× "${line}" in the error log`,
    );
  };
  // the hour-old line: written, and the log last touched an hour ago
  await say(staleLine);
  fs.utimesSync(errorLog, hourAgo(), hourAgo());
  return { port, errorLog, say };
}

const service = (port: number) =>
  onPm2('web', healthz(port, '300ms'), 'interval: 1s, failureThreshold: 3, restart: { strategy: none }');

const downAlert = () =>
  fake()
    .messagesTo(chat)
    .find((m) => m.plainText.startsWith('🔴 Service down · web'));

/** Waits for a check that passes after now, so what the app logged before is older than it. */
async function passingCheckFromNow(store: Store, what: string): Promise<void> {
  const from = Date.now();
  const passed = store.db.selectFrom('check_results').select('id').where('ok', '=', 1);
  await until(async () => (await passed.where('at', '>', from).execute()).length > 0, 15_000, what);
}

describe('fresh evidence in alerts', () => {
  it('shows only what the app logged since its last passing check, repeats once with × 10, secrets masked', async () => {
    const { port, say } = await startWeb();
    const { store } = await startWarden(service(port));
    await passingCheckFromNow(store, 'a passing check after the old line');
    await fetch(`http://127.0.0.1:${port}/hang`);
    await say('upstream ECONNRESET while reading password=hunter2', 10);
    await fake().waitFor(() => downAlert() !== undefined, 20_000, 'the down alert');
    const text = downAlert()!.plainText;
    expect(text).not.toContain('ENOENT');
    expect(text).toContain('upstream ECONNRESET while reading password=[REDACTED] × 10');
    expect(text.split('upstream ECONNRESET')).toHaveLength(2);
    expect(text).not.toContain('hunter2');
  });

  it('shows no excerpt when warden starts on a hung app whose log was last written an hour ago', async () => {
    const { port, errorLog } = await startWeb();
    await fetch(`http://127.0.0.1:${port}/hang`);
    fs.utimesSync(errorLog, hourAgo(), hourAgo());
    await startWarden(service(port));
    await fake().waitFor(() => downAlert() !== undefined, 20_000, 'the down alert');
    const text = downAlert()!.plainText;
    expect(text).toContain('timed out');
    expect(text).not.toContain('ENOENT');
  });

  it("shows a crash loop's new error, not the previous version's trace", async () => {
    const { port, errorLog, say } = await startWeb();
    const { store } = await startWarden(
      onPm2('web', healthz(port, '300ms'), 'interval: 1s, restart: { strategy: none, maxRestarts: 3, window: 1m }'),
    );
    await say("TypeError: Cannot read properties of undefined (reading 'id')");
    await passingCheckFromNow(store, 'a passing check after the old trace');
    // a new version that fails at start replaces the app, writing to the same error log
    await pm2.cli('delete', 'web');
    await pm2.startApps([
      { name: 'web', script: crashAtStart, error_file: errorLog, min_uptime: 10_000, max_restarts: 5 },
    ]);
    const loop = async () =>
      store.db.selectFrom('incidents').select('excerpt').where('key', '=', 'crash-loop:web').executeTakeFirst();
    await until(async () => (await loop()) !== undefined, 30_000, 'crash-loop');
    const { excerpt } = (await loop())!;
    expect(excerpt).toContain('fatal: DATABASE_URL is not set');
    expect(excerpt).not.toContain('TypeError');
    expect(excerpt).not.toContain('ENOENT');
  });
});
