import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../../src/alerts/render/html.ts';
import { renderIncident } from '../../../src/alerts/render/incident.ts';
import { renderConversation, renderEscalation } from '../../../src/alerts/render/outage.ts';
import { parseTelegramHtml } from '../../fixtures/telegram-html.ts';
import { at0312, makeIncident, renderContext } from '../../helpers/incident.ts';

const minute = 60_000;
const crashed = makeIncident('service-crashed:api', {
  id: 1,
  severity: 'warning',
  detail: 'api exited unexpectedly (killed by SIGKILL, after 4s up); pm2 restarted it',
});
const loop = makeIncident('crash-loop:api', {
  id: 2,
  conversationId: 1,
  openedAt: at0312 + minute,
  detail: 'api exited 5× within 30m (last: exit code 1)',
  actions: [{ at: at0312 + minute, kind: 'restart', ok: true, detail: 'pm2 restart api' }],
});
const down = makeIncident('service-down:api', {
  id: 3,
  conversationId: 1,
  openedAt: at0312 + 2 * minute,
  actions: [{ at: at0312 + 3 * minute, kind: 'restart', ok: true, detail: 'pm2 restart api' }],
});
const gaveUp = makeIncident('restart-gave-up:api', { id: 4, conversationId: 1, openedAt: at0312 + 4 * minute });

describe('render an outage', () => {
  it('tells the whole story under the most urgent part, since the first, with one restart count', () => {
    const { html } = renderConversation([crashed, loop, down, gaveUp], renderContext());
    expect(() => parseTelegramHtml(html)).not.toThrow();
    const text = htmlToText(html);
    expect(text.split('\n')[0]).toBe('🔴 Restarts gave up: a human is needed · api');
    expect(text).toContain('since 03:12 UTC (5m ago)');
    for (const line of [
      '🟠 03:12 Service crashed and was restarted by pm2: api exited unexpectedly (killed by SIGKILL',
      '🔴 03:13 Service is crash-looping: api exited 5× within 30m',
      '🔴 03:14 Service down: GET',
      '🔴 03:16 Restarts gave up: a human is needed:',
    ])
      expect(text).toContain(line);
    expect(text).toContain('🛠 restarted 2× — last at 03:15');
  });

  it('reads resolved, for the whole outage, only once every part is', () => {
    const resolved = (i: typeof crashed, at: number) => ({ ...i, state: 'resolved' as const, resolvedAt: at });
    const partly = renderConversation([resolved(crashed, at0312 + minute), loop], renderContext());
    expect(htmlToText(partly.html)).toMatch(/^🔴 Service is crash-looping · api/);
    expect(htmlToText(partly.html)).toContain('✅ 03:13');
    const all = renderConversation(
      [resolved(crashed, at0312 + minute), resolved(loop, at0312 + 3 * minute)],
      renderContext(),
    );
    expect(htmlToText(all.html)).toMatch(/^✅ Resolved after 3m\n🔴 Service is crash-looping · api/);
  });

  it('rings for the step to "a human is needed", not again for critical after a ringing page', () => {
    const context = renderContext();
    expect(renderEscalation(loop, [crashed, loop], context)).toMatchObject({
      text: '🔺 Now: Service is crash-looping · api\napi exited 5× within 30m (last: exit code 1)',
      silent: true,
    });
    expect(renderEscalation(gaveUp, [crashed, loop, down, gaveUp], context).silent).toBe(false);
    // a warning page inside quiet hours was silent: the first critical rings
    const quiet = renderContext({ quietHours: { startMinute: 0, endMinute: 24 * 60 - 1 } });
    expect(renderEscalation(loop, [crashed, loop], quiet).silent).toBe(false);
    expect(renderEscalation(loop, [crashed, loop], renderContext({ locale: 'ko' })).text).toMatch(
      /^🔺 상황 악화: 서비스가 반복해서 충돌함 · api/,
    );
  });

  it("names an operator's pm2 stop and when warden restarts the app, in en and ko", () => {
    const stopped = makeIncident('service-down:api', {
      detail: 'api is stopped in pm2 (pm2 stop)',
      actions: [
        { at: at0312, kind: 'pm2-stop', ok: true, detail: 'stopped with pm2 by an operator', restartInMs: 30_000 },
      ],
    });
    expect(htmlToText(renderIncident(stopped, renderContext()).html)).toContain(
      '🛠 stopped with pm2 at 03:12 by an operator; warden will restart it in 30s unless you warden silence api',
    );
    expect(htmlToText(renderIncident(stopped, renderContext({ locale: 'ko' })).html)).toContain(
      '🛠 운영자가 03:12에 pm2로 중지함; warden silence api를 실행하지 않으면 warden이 30초 후에 다시 시작합니다',
    );
    const restarted = {
      ...stopped,
      actions: [...stopped.actions, { at: at0312 + minute, kind: 'restart', ok: true, detail: 'pm2 restart api' }],
    };
    const text = htmlToText(renderIncident(restarted, renderContext()).html);
    expect(text).toContain('🛠 stopped with pm2 at 03:12 by an operator\n');
    const never = { ...stopped, actions: [{ ...stopped.actions[0]!, restartInMs: null }] };
    expect(htmlToText(renderIncident(never, renderContext()).html)).toContain(
      'by an operator; warden will not restart it (restart strategy none)',
    );
  });
});
