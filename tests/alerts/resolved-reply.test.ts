import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramChannel } from '../../src/alerts/channels/telegram.ts';
import { renderContextFrom } from '../../src/alerts/render-context.ts';
import { renderResolvedReply } from '../../src/alerts/render/replies.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { Incident } from '../../src/incidents/types.ts';
import { startFakeTelegram, type FakeTelegram } from '../fixtures/fake-telegram.ts';
import { at0312, makeIncident } from '../helpers/incident.ts';
import { tempDir } from '../helpers/temp-dir.ts';

let fake: FakeTelegram;
beforeAll(async () => {
  fake = await startFakeTelegram({ chats: [42] });
});
afterAll(() => fake.close());

/** The resolved reply as the daemon renders it from this config, delivered to the fake as a reply to message 1. */
async function deliver(telegramYaml: string, incident: Incident) {
  const dir = tempDir();
  const yaml = `host: prod-1\nstore: { url: "sqlite:${dir}/warden.db" }\ntelegram:\n  apiRoot: ${fake.apiRoot}\n  chats: [{ id: 42 }]\n${telegramYaml}`;
  const { config } = parseConfig(yaml, 'warden.config.yaml', { env: { TELEGRAM_BOT_TOKEN: fake.token }, baseDir: dir });
  const channel = createTelegramChannel({ token: fake.token, apiRoot: config.telegram.apiRoot });
  const rendered = renderResolvedReply(incident, renderContextFrom(config, incident.resolvedAt ?? at0312));
  const before = fake.messagesTo(42).length;
  const delivery = await channel.send(
    { ...rendered, format: 'html', replyTo: '1' },
    { chatId: '42', thread: null },
    new AbortController().signal,
  );
  expect(delivery.ok).toBe(true);
  return fake.messagesTo(42).slice(before)[0]!;
}

const resolved = (key: string, overrides: Partial<Incident>): Incident =>
  makeIncident(key, { state: 'resolved', resolvedAt: at0312 + 10 * 60_000, ...overrides });

beforeAll(async () => {
  // the alert the replies answer
  const channel = createTelegramChannel({ token: fake.token, apiRoot: fake.apiRoot });
  await channel.send(
    { html: 'alert', text: 'alert', buttons: [], silent: false, format: 'html', replyTo: null },
    { chatId: '42', thread: null },
    new AbortController().signal,
  );
});

describe('resolved replies', () => {
  it('arrive silently by default, also for a critical', async () => {
    const sent = await deliver('', resolved('service-down:api', { severity: 'critical' }));
    expect(sent.disableNotification).toBe(true);
    expect(sent.replyTo).toBe(1);
    expect(sent.plainText).toBe('✅ Resolved: Service down · api after 10m');
  });

  it('ring like their alert with telegram.resolvedSound: true (info stays silent)', async () => {
    const critical = await deliver('  resolvedSound: true\n', resolved('service-down:api', { severity: 'critical' }));
    expect(critical.disableNotification).toBe(false);
    const info = await deliver('  resolvedSound: true\n', resolved('warden-restarted', { severity: 'info' }));
    expect(info.disableNotification).toBe(true);
  });

  it('say so when a critical recovered by itself within a minute', async () => {
    const blip = await deliver('', resolved('service-down:api', { resolvedAt: at0312 + 42_000 }));
    expect(blip.plainText).toBe(
      '✅ Resolved: Service down · api after 42s\nIt recovered by itself within a minute; warden took no action. Worth a look if it repeats.',
    );
    expect(blip.disableNotification).toBe(true);
    const ko = await deliver('  locale: ko\n', resolved('service-down:api', { resolvedAt: at0312 + 42_000 }));
    expect(ko.plainText).toContain('1분 안에 저절로 회복되었고');
  });

  it('do not call it a blip when warden acted, someone acknowledged, it took a minute or it was a warning', async () => {
    const restart = { at: at0312 + 5_000, kind: 'restart', ok: true, detail: 'pm2 restart api' };
    const cases: Partial<Incident>[] = [
      { resolvedAt: at0312 + 42_000, actions: [restart] },
      { resolvedAt: at0312 + 42_000, acknowledgedAt: at0312 + 10_000, acknowledgedBy: '@ops' },
      { resolvedAt: at0312 + 60_000 },
      { resolvedAt: at0312 + 42_000, severity: 'warning' },
    ];
    for (const overrides of cases) {
      const sent = await deliver('', resolved('service-down:api', overrides));
      expect(sent.plainText).not.toContain('by itself');
    }
  });

  it('reject a resolvedSound that is not a boolean with one line naming the key', () => {
    expect(() =>
      parseConfig('telegram:\n  resolvedSound: loud\n', 'warden.config.yaml', { env: {}, baseDir: tempDir() }),
    ).toThrow(/telegram\.resolvedSound.*true or false/);
  });
});
