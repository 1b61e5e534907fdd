import { Api } from 'node-telegram-bot-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderIncident } from '../../../src/alerts/render/incident.ts';
import { renderResolvedReply, renderReminder } from '../../../src/alerts/render/replies.ts';
import { renderTestAlert } from '../../../src/alerts/render/test-alert.ts';
import { startFakeTelegram, type FakeTelegram } from '../../fixtures/fake-telegram.ts';
import { parseTelegramHtml } from '../../fixtures/telegram-html.ts';
import { at0312, makeIncident, renderContext } from '../../helpers/incident.ts';

let fake: FakeTelegram;
let api: Api;
beforeAll(async () => {
  fake = await startFakeTelegram({ chats: [42] });
  api = new Api(fake.token, { apiRoot: fake.apiRoot, maxRetries: 0 });
});
afterAll(() => fake.close());

const hostileExcerpt = (): string => {
  const lines = [
    '<script>alert("x")</script> & friends',
    'ERROR </pre> broke out <b>bold?</b> &amp; &foo; 😀🔥 日本語',
    `${'x'.repeat(300)}😀`,
  ];
  let text = '';
  for (let i = 0; text.length < 5000; i++) text += `${i} ${lines[i % lines.length]}\n`;
  return text;
};

describe('render incident', () => {
  it('shows severity, title, subject, host, since when, what warden did and the runbook', () => {
    const incident = makeIncident('service-down:api', {
      count: 3,
      actions: [
        { at: at0312 + 60_000, kind: 'restart', ok: true, detail: 'pm2 restart api' },
        { at: at0312 + 120_000, kind: 'restart', ok: true, detail: 'pm2 restart api' },
      ],
      excerpt: 'Error: listen EADDRINUSE\n    at Server.listen',
    });
    const { html, text, buttons, silent } = renderIncident(incident, renderContext());
    expect(html.split('\n').slice(0, 4)).toEqual([
      '🔴 <b>Service down</b> · <code>api</code>',
      'CRITICAL · on <b>prod-1</b> · since 03:12 UTC (5m ago) · seen 3×',
      'GET http://127.0.0.1:3000/healthz: timed out after 5000ms',
      '🛠 restarted 2× — last at 03:14',
    ]);
    expect(html).toContain('<pre>Error: listen EADDRINUSE\n    at Server.listen</pre>');
    expect(html).toContain(
      '📖 <a href="https://github.com/acme/warden/blob/main/docs/runbook/service-down.md">Runbook: service-down</a>',
    );
    expect(buttons).toEqual([
      [{ text: '📖 Runbook', url: 'https://github.com/acme/warden/blob/main/docs/runbook/service-down.md' }],
    ]);
    expect(text).toContain(
      'Runbook: service-down (https://github.com/acme/warden/blob/main/docs/runbook/service-down.md)',
    );
    expect(text).not.toMatch(/<b>|&lt;/);
    expect(silent).toBe(false);
  });

  it('shows a crash that happened again as a count with the first and last time, not as seen N×', () => {
    const incident = makeIncident('service-crashed:api', {
      severity: 'warning',
      count: 3,
      lastSeenAt: at0312 + 2 * 60_000,
      detail: 'api exited unexpectedly (exit code 1, after 40s up); pm2 restarted it',
      excerpt: 'fatal: lost connection to the queue',
    });
    const { html } = renderIncident(incident, renderContext());
    expect(html.split('\n').slice(1, 4)).toEqual([
      'WARNING · on <b>prod-1</b> · since 03:12 UTC (5m ago)',
      '🔁 crashed 3× since 03:12, last 03:14',
      'api exited unexpectedly (exit code 1, after 40s up); pm2 restarted it',
    ]);
    expect(html).toContain('<pre>fatal: lost connection to the queue</pre>');
    expect(renderIncident(incident, renderContext({ locale: 'ko' })).html).toContain(
      '🔁 03:12 이후 3회 충돌, 마지막 03:14',
    );
  });

  it('shows the time in the configured timezone, with the date when it was another day', () => {
    const seoul = renderIncident(makeIncident(), renderContext({ timezone: 'Asia/Seoul' })).html;
    expect(seoul).toContain('since 12:12 GMT+9');
    const yesterday = renderIncident(makeIncident(), renderContext({ now: at0312 + 86_400_000 })).html;
    expect(yesterday).toContain('since 28 Nov, 03:12 UTC (1d ago)');
  });

  it('escapes every interpolated value', () => {
    const incident = makeIncident('log-errors:<app>&"x"', { detail: '5 × "ERROR <db>" & more', severity: 'warning' });
    const { html } = renderIncident(incident, renderContext({ host: 'a<b>&c' }));
    expect(html).toContain('<code>&lt;app&gt;&amp;&quot;x&quot;</code>');
    expect(html).toContain('5 × &quot;ERROR &lt;db&gt;&quot; &amp; more');
    expect(html).toContain('on <b>a&lt;b&gt;&amp;c</b>');
    expect(parseTelegramHtml(html).ok).toBe(true);
  });

  it('fits a hostile 5,000-character excerpt into 4096 characters the fake accepts', async () => {
    const incident = makeIncident('log-errors:app', { excerpt: hostileExcerpt(), detail: 'd'.repeat(5000) });
    const rendered = renderIncident(incident, renderContext());
    expect(rendered.html.length).toBeLessThanOrEqual(4096);
    expect(rendered.html).toMatch(/<pre>…\n[\s\S]*<\/pre>/);
    expect(rendered.html).not.toContain('<script>');
    expect(rendered.html.match(/<\/pre>/g)).toHaveLength(1);
    const sent = await api.sendMessage({ chat_id: 42, text: rendered.html, parse_mode: 'HTML' });
    expect(sent.message_id).toBeGreaterThan(0);
    expect(fake.messages.at(-1)!.plainText).toContain('<script>alert("x")</script> & friends');
    await api.sendMessage({ chat_id: 42, text: rendered.text });
  });

  it('never cuts an entity or an emoji when one line alone is longer than the room', async () => {
    for (const filler of ['&', '<', '😀', 'é"']) {
      const rendered = renderIncident(
        makeIncident('log-errors:app', { excerpt: filler.repeat(6000) }),
        renderContext(),
      );
      expect(rendered.html.length).toBeLessThanOrEqual(4096);
      expect(parseTelegramHtml(rendered.html)).toMatchObject({ ok: true });
      expect(rendered.html).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    }
    const rendered = renderIncident(makeIncident('log-errors:app', { excerpt: '&'.repeat(6000) }), renderContext());
    await api.sendMessage({ chat_id: 42, text: rendered.html, parse_mode: 'HTML' });
  });

  it('strips ANSI colours and control characters from the excerpt', () => {
    const { html } = renderIncident(
      makeIncident('log-errors:app', { excerpt: '\x1b[31mred\x1b[0m\x07bell\r\n' }),
      renderContext(),
    );
    expect(html).toContain('<pre>redbell</pre>');
  });

  it('marks resolution with the duration, and acknowledgement with who', () => {
    const resolved = renderIncident(
      makeIncident(undefined, { state: 'resolved', resolvedAt: at0312 + 12 * 60_000 }),
      renderContext(),
    );
    expect(resolved.html.split('\n')[0]).toBe('✅ <b>Resolved</b> after 12m');
    const acked = renderIncident(
      makeIncident(undefined, { state: 'acknowledged', acknowledgedAt: at0312 + 60_000, acknowledgedBy: '@kim' }),
      renderContext(),
    );
    expect(acked.html.split('\n')[0]).toBe('👀 <b>Acknowledged</b> by @kim at 03:13');
  });

  it('has no runbook link or button when no base URL is configured', () => {
    const { html, buttons } = renderIncident(makeIncident(), renderContext({ runbookUrl: () => null }));
    expect(html).not.toContain('<a ');
    expect(buttons).toEqual([]);
  });
});

describe('every rendering is valid Telegram HTML', () => {
  it('holds for every state, locale, age and severity', () => {
    const ages = [0, 500, 59_000, 3_600_000, 90_000_000];
    for (const locale of ['en', 'ko'] as const) {
      for (const age of ages) {
        for (const state of ['open', 'acknowledged', 'resolved'] as const) {
          for (const severity of ['info', 'warning', 'critical'] as const) {
            const incident = makeIncident('disk-usage:/var/lib', {
              state,
              severity,
              acknowledgedAt: at0312,
              acknowledgedBy: '<@x&y>',
              resolvedAt: at0312 + age,
              actions: [{ at: at0312, kind: 'prune', ok: true, detail: 'freed <2GB> & more' }],
            });
            const ctx = renderContext({ locale, now: at0312 + age });
            for (const rendered of [
              renderIncident(incident, ctx),
              renderResolvedReply(incident, ctx),
              renderReminder(incident, ctx),
            ]) {
              expect(parseTelegramHtml(rendered.html), rendered.html).toMatchObject({ ok: true });
            }
          }
        }
      }
      expect(parseTelegramHtml(renderTestAlert('<chat>', renderContext({ locale })).html).ok).toBe(true);
    }
  });
});

describe('quiet hours', () => {
  const quiet = { startMinute: 23 * 60, endMinute: 7 * 60 };
  it('rings criticals, silences warnings inside quiet hours only, and never rings info', () => {
    const inside = renderContext({ quietHours: quiet, now: Date.UTC(2026, 10, 28, 2, 0) });
    const outside = renderContext({ quietHours: quiet, now: Date.UTC(2026, 10, 28, 12, 0) });
    const silent = (severity: 'critical' | 'warning' | 'info', ctx: typeof inside): boolean =>
      renderIncident(makeIncident('disk-usage:/', { severity }), ctx).silent;
    expect([silent('critical', inside), silent('warning', inside), silent('info', inside)]).toEqual([
      false,
      true,
      true,
    ]);
    expect([silent('critical', outside), silent('warning', outside), silent('info', outside)]).toEqual([
      false,
      false,
      true,
    ]);
  });

  it('reads the hours in the configured timezone', () => {
    // 15:00 UTC is 00:00 in Seoul
    const ctx = renderContext({ quietHours: quiet, timezone: 'Asia/Seoul', now: Date.UTC(2026, 10, 28, 15, 0) });
    expect(renderIncident(makeIncident('disk-usage:/', { severity: 'warning' }), ctx).silent).toBe(true);
  });
});

describe('render replies and test alert', () => {
  it('renders a short resolution reply and a reminder', () => {
    const resolved = makeIncident(undefined, { state: 'resolved', resolvedAt: at0312 + 3_723_000 });
    expect(renderResolvedReply(resolved, renderContext()).html).toBe(
      '✅ Resolved: <b>Service down</b> · api after 1h 2m',
    );
    const reminder = renderReminder(makeIncident(), renderContext({ now: at0312 + 3_600_000 }));
    expect(reminder.html).toBe('⏰ Still open after 1h, not acknowledged: <b>Service down</b> · api');
    expect(reminder.silent).toBe(false);
    expect(reminder.buttons).toHaveLength(1);
  });

  it('renders the test alert, which always rings', () => {
    const rendered = renderTestAlert('-1001234', renderContext());
    expect(rendered.html).toContain('can reach chat <code>-1001234</code>');
    expect(rendered.silent).toBe(false);
  });
});

describe('korean', () => {
  it('renders incidents, durations and replies in Korean', () => {
    const ctx = renderContext({ locale: 'ko', timezone: 'Asia/Seoul' });
    const { html } = renderIncident(
      makeIncident(undefined, { actions: [{ at: at0312, kind: 'restart', ok: true, detail: '' }] }),
      ctx,
    );
    expect(html).toContain('🔴 <b>서비스 중단</b> · <code>api</code>');
    expect(html).toContain('심각 · 호스트 <b>prod-1</b> · 12:12 GMT+9부터 (5분 전)');
    expect(html).toContain('1회 재시작함 — 마지막 12:12');
    expect(html).toContain('📖 <a href=');
    expect(parseTelegramHtml(html).ok).toBe(true);
    const reply = renderResolvedReply(makeIncident(undefined, { state: 'resolved', resolvedAt: at0312 + 90_000 }), ctx);
    expect(reply.html).toBe('✅ 해결됨: <b>서비스 중단</b> · api (1분 30초 만에)');
  });
});
