import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { digestChartSvg, renderChartPng } from '../../src/bot/chart.ts';
import { collectDigest } from '../../src/bot/digest-data.ts';
import { renderDigest } from '../../src/bot/digest-render.ts';
import { sendDigest } from '../../src/bot/digest.ts';
import { createTracker } from '../../src/incidents/tracker.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { startFakeTelegram, type FakeTelegram } from '../fixtures/fake-telegram.ts';
import { captureLogger } from '../helpers/logger.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { configFrom } from '../helpers/service.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { chat, startBotDaemon, type BotDaemon } from './helpers.ts';

/** Decodes a PNG far enough to trust it: signature, chunk CRCs, IHDR, and the inflated pixel rows. */
function decodePng(png: Uint8Array): { width: number; height: number } {
  const buf = Buffer.from(png);
  expect(buf.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  for (;;) {
    const length = buf.readUInt32BE(offset);
    const type = buf.subarray(offset + 4, offset + 8).toString('latin1');
    const data = buf.subarray(offset + 8, offset + 8 + length);
    expect(buf.readUInt32BE(offset + 8 + length)).toBe(zlib.crc32(buf.subarray(offset + 4, offset + 8 + length)));
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect(data[8]).toBe(8);
      channels = ({ 2: 3, 6: 4, 0: 1, 4: 2 } as Record<number, number>)[data[9]!]!;
    }
    if (type === 'IDAT') idat.push(Buffer.from(data));
    offset += 12 + length;
    if (type === 'IEND') break;
  }
  const pixels = zlib.inflateSync(Buffer.concat(idat));
  expect(pixels.length).toBe(height * (1 + width * channels));
  for (let row = 0; row < height; row++) expect(pixels[row * (1 + width * channels)]).toBeLessThanOrEqual(4);
  return { width, height };
}

const services = Array.from({ length: 30 }, (_, i) => `service-${String(i + 1).padStart(2, '0')}`);
const yaml = `host: prod-1
timezone: Asia/Seoul
disk: { paths: ["/"] }
backups:
  targets:
    main: { files: ["/etc/hostname"] }
services:
${services.map((s) => `  ${s}: { check: { tcp: { port: 1 } } }`).join('\n')}
`;

let store: Store | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
});

async function busyDay(clock: ManualClock): Promise<Store> {
  store = await openStore(`sqlite:${path.join(tempDir(), 'warden.db')}`);
  const tracker = createTracker({ store, clock, log: captureLogger().log });
  for (let i = 0; i < 100; i++) {
    const key = `service-down:${services[i % 30]!}`;
    await tracker.report(key, { detail: `connection refused ${'x'.repeat(i)}` });
    await tracker.recordAction(key, { kind: 'restart', ok: true, detail: 'pm2 restart' });
    await clock.advance(5 * 60_000);
    if (i < 90) await tracker.resolve(key);
    await clock.advance(8 * 60_000);
  }
  await store.db
    .insertInto('backups')
    .values({
      target: 'main',
      file: 'main-1.tar.gz',
      size_bytes: 123_456_789,
      sha256: null,
      state: 'good',
      started_at: clock.now() - 60_000,
      finished_at: clock.now(),
      verified_at: clock.now(),
      error: null,
    })
    .execute();
  return store;
}

describe('daily digest', () => {
  it('renders a busy day (30 services, 100 incidents) within 4096 characters and a valid PNG under 1 MB', async () => {
    const clock = new ManualClock();
    const config = configFrom(yaml);
    const db = await busyDay(clock);
    const data = await collectDigest(config, db, clock.now());
    expect(data.opened).toHaveLength(100);
    expect(data.resolved).toHaveLength(90);
    expect(data.stillOpen).toHaveLength(10);
    expect(data.restarts).toBe(100);

    const html = renderDigest(data, config.host, 'en', config.timezone);
    expect(html.length).toBeLessThanOrEqual(4096);
    expect(html).toContain('Incidents: 100 opened, 90 resolved, 10 still open');
    expect(html).toContain('Restarts: 100');
    expect(html).toMatch(/✅ <code>main<\/code> verified \d\d:\d\d · 118MB/);
    expect(html).toContain('…and');
    expect((html.match(/<code>service-\d\d<\/code> \d/g) ?? []).length).toBe(30);
    expect(renderDigest(data, config.host, 'ko', config.timezone).length).toBeLessThanOrEqual(4096);

    const png = renderChartPng(digestChartSvg(data, config.timezone, 0.8, 0.9));
    expect(png.length).toBeLessThan(1024 * 1024);
    if (process.env.CHART_OUT) (await import('node:fs')).writeFileSync(process.env.CHART_OUT, png);
    const { width, height } = decodePng(png);
    expect(width).toBe(900);
    expect(height).toBeGreaterThan(30 * 18);
  });

  it('says all is well on a quiet day', async () => {
    store = await openStore(`sqlite:${path.join(tempDir(), 'warden.db')}`);
    const config = configFrom(yaml);
    const data = await collectDigest(config, store, Date.now());
    const html = renderDigest(data, config.host, 'en', config.timezone);
    expect(html).toContain('✅ All is well: no incidents in the last 24 h.');
    expect(html).toContain('✅ <code>service-01</code> 100%');
  });
});

describe('daily digest from the daemon', () => {
  let fake: FakeTelegram;
  let warden: BotDaemon;
  afterEach(async () => {
    await warden.stop();
    await fake.close();
  });

  it('sends one silent message and one PNG chart on digest.schedule', async () => {
    fake = await startFakeTelegram({ chats: [chat] });
    const clock = new ManualClock();
    warden = await startBotDaemon({
      fake,
      dir: tempDir(),
      clock,
      extra: `digest: { schedule: "0 5 3 * * *" }
services:
  api: { check: { tcp: { port: 1 } }, interval: 1d }`,
      tuning: { tickMs: 600_000, alerts: { tuning: { backoff: { initialMs: 20, maxMs: 200 }, pollMs: 600_000 } } },
    });
    await clock.advance(5 * 60_000);
    await fake.waitFor(() => fake.photos.length === 1 && fake.messages.length === 1, 10_000, 'the digest');
    const [text] = fake.messagesTo(chat);
    expect(text!.plainText).toMatch(/^📊 Daily digest · prod-1 · 28 Nov 2026\n✅ All is well/);
    expect(text!.disableNotification).toBe(true);
    const [photo] = fake.photos;
    expect(photo).toMatchObject({ chatId: String(chat), contentType: 'image/png', disableNotification: true });
    expect(photo!.caption).toBe('📊 prod-1: availability (24 h) and disk use (7 days)');
    decodePng(photo!.bytes);
  });
});

describe('digest without its chart', () => {
  it('still sends the text when the chart cannot be rendered', async () => {
    const fake = await startFakeTelegram({ chats: [chat] });
    try {
      store = await openStore(`sqlite:${path.join(tempDir(), 'warden.db')}`);
      const config = configFrom(
        `telegram: { apiRoot: "${fake.apiRoot}", chats: [{ id: ${chat} }] }\ndisk: { paths: ["/"] }`,
        { TELEGRAM_BOT_TOKEN: fake.token },
      );
      const { log, lines } = captureLogger();
      const { createBotTelegram } = await import('../../src/bot/telegram.ts');
      let woken = 0;
      await sendDigest({
        config,
        store,
        clock: new ManualClock(),
        log,
        telegram: createBotTelegram({ token: fake.token, apiRoot: fake.apiRoot, log, pollTimeoutSec: 1 }),
        wakeAlerts: () => woken++,
        renderChart: () => {
          throw new Error('no fonts');
        },
      });
      const rows = await store.db.selectFrom('outbox').selectAll().execute();
      expect(rows).toMatchObject([{ chat_id: String(chat), kind: 'message', state: 'pending' }]);
      expect(JSON.parse(rows[0]!.payload!)).toMatchObject({ silent: true, buttons: [] });
      expect(woken).toBe(1);
      expect(fake.photos).toEqual([]);
      expect(lines().find((l) => l.msg === 'digest chart not rendered; the text went without it')).toBeDefined();
    } finally {
      await fake.close();
    }
  });
});
