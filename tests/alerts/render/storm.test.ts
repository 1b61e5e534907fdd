import { describe, expect, it } from 'vitest';
import { renderStorm } from '../../../src/alerts/render/storm.ts';
import { parseTelegramHtml } from '../../fixtures/telegram-html.ts';
import { at0312, makeIncident, renderContext } from '../../helpers/incident.ts';

const many = (n: number, subject = (i: number) => `svc-${i}`) =>
  Array.from({ length: n }, (_, i) => makeIncident(`service-down:${subject(i)}`, { id: i + 1 }));

describe('render storm', () => {
  it('lists the incidents of a storm in one message with their runbooks', () => {
    const incidents = [...many(3), makeIncident('disk-usage:/', { id: 9, severity: 'warning', detail: '91% used' })];
    const { rendered, count } = renderStorm('opened', incidents, renderContext());
    expect(count).toBe(4);
    expect(rendered.html.split('\n').slice(0, 3)).toEqual([
      '🚨 <b>4 incidents</b> opened on <b>prod-1</b>',
      '',
      '🔴 <b>Service down</b> · <code>svc-0</code> — GET http://127.0.0.1:3000/healthz: timed out after 5000ms',
    ]);
    expect(rendered.html).toContain('🟠 <b>Disk filling up</b> · <code>/</code> — 91% used');
    expect(rendered.html).toMatch(
      /📖 Runbooks: <a href="[^"]+service-down.md">service-down<\/a>, <a href="[^"]+disk-usage.md">disk-usage<\/a>$/,
    );
    expect(rendered.buttons).toHaveLength(2);
    expect(rendered.silent).toBe(false);
    expect(parseTelegramHtml(rendered.html).ok).toBe(true);
  });

  it('takes only as many incidents as fit in 4096 characters', () => {
    const incidents = many(80, (i) => `${'very-long-service-name-'.repeat(3)}${i}`);
    const { rendered, count } = renderStorm('opened', incidents, renderContext());
    expect(count).toBeGreaterThan(10);
    expect(count).toBeLessThan(80);
    expect(rendered.html.length).toBeLessThanOrEqual(4096);
    expect(rendered.html).toContain(`<b>${count} incidents</b>`);
  });

  it('re-renders an existing group with every member state and the overflow counted', () => {
    const incidents = many(80, (i) => `${'very-long-service-name-'.repeat(3)}${i}`).map((incident, i) =>
      i < 2 ? { ...incident, state: 'resolved' as const, resolvedAt: at0312 + 180_000 } : incident,
    );
    const { rendered } = renderStorm('opened', incidents, renderContext(), { complete: true });
    expect(rendered.html).toContain('<b>80 incidents</b>');
    expect(rendered.html).toContain('2 of 80 resolved');
    expect(rendered.html).toContain('✅ <s>Service down</s>');
    expect(rendered.html).toMatch(/…and \d+ more/);
    expect(rendered.html.length).toBeLessThanOrEqual(4096);
  });

  it('is silent only when every member would be', () => {
    const info = many(3).map((i) => ({ ...i, severity: 'info' as const }));
    expect(renderStorm('opened', info, renderContext()).rendered.silent).toBe(true);
    expect(renderStorm('opened', [...info, ...many(1)], renderContext()).rendered.silent).toBe(false);
  });

  it('groups resolutions and reminders', () => {
    const resolved = many(3).map((i) => ({ ...i, state: 'resolved' as const, resolvedAt: at0312 + 60_000 }));
    expect(renderStorm('resolved', resolved, renderContext()).rendered.html).toMatch(
      /^✅ <b>3 incidents resolved<\/b> on <b>prod-1<\/b>\n\n✅ <s>Service down<\/s> · <code>svc-0<\/code> — 1m/,
    );
    expect(renderStorm('reminder', many(3), renderContext({ now: at0312 + 3_600_000 })).rendered.html).toContain(
      '🔴 <b>Service down</b> · <code>svc-0</code> — 1h',
    );
    expect(renderStorm('opened', many(3), renderContext({ locale: 'ko' })).rendered.html).toContain('인시던트 3건');
  });
});
