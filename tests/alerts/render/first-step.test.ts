import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderIncident } from '../../../src/alerts/render/incident.ts';
import { locales } from '../../../src/alerts/render/locales/index.ts';
import { topicNames, topics, type Topic } from '../../../src/incidents/topics.ts';
import { parseTelegramHtml } from '../../fixtures/telegram-html.ts';
import { makeIncident, renderContext } from '../../helpers/incident.ts';

const runbookDir = fileURLToPath(new URL('../../../docs/runbook/', import.meta.url));
const cases = topicNames.flatMap((topic) => (['en', 'ko'] as const).map((locale) => ({ topic, locale })));
const subjectOf: Partial<Record<Topic, string>> = { 'alert-delivery': '-1001234567890', 'warden-restarted': '' };
const keyOf = (topic: Topic): string => {
  const subject =
    subjectOf[topic] ?? (topic.startsWith('disk') ? '/var' : topic === 'log-size' ? 'logs/app.log' : 'api');
  return subject ? `${topic}:${subject}` : topic;
};
/** The step as a phone shows it: backticks become code, `{subject}` the incident's subject. */
const shown = (step: string, subject: string): string => step.replaceAll('`', '').replaceAll('{subject}', subject);

describe('the first step in the alert', () => {
  it.each(cases)('$topic ($locale) shows its first step above the runbook link', ({ topic, locale }) => {
    const incident = makeIncident(keyOf(topic), { severity: topics[topic].severity });
    const { html, text } = renderIncident(incident, renderContext({ locale }));
    const t = locales[locale];
    const step = t.firstStep(topic)!;
    expect(step.split('\n')).toHaveLength(1);
    expect(text).toContain(`👉 ${t.firstStepLabel}: ${shown(step, incident.subject)}`);
    expect(html).toMatch(/👉 <b>[^<]+<\/b>: .*<code>/);
    expect(html.indexOf('👉')).toBeLessThan(html.indexOf('📖'));
    expect(html).toContain(`/docs/runbook/${topic}.md">`);
    expect(parseTelegramHtml(html).ok).toBe(true);
  });

  it('keeps the first step and drops only the link when no runbooks.baseUrl is set', () => {
    const { html, buttons } = renderIncident(makeIncident(), renderContext({ runbookUrl: () => null }));
    expect(html).toContain('👉 <b>First step</b>: Run <code>warden status</code>');
    expect(html).toContain('<code>npm run pm2 -- logs api --lines 100</code>');
    expect(html).not.toContain('📖');
    expect(buttons).toEqual([]);
  });

  it('escapes the subject inside the step', () => {
    const { html } = renderIncident(makeIncident('crash-loop:<a>&$1'), renderContext());
    expect(html).toContain('<code>npm run pm2 -- logs &lt;a&gt;&amp;$1 --err --lines 200</code>');
    expect(parseTelegramHtml(html).ok).toBe(true);
  });

  it.each(cases)('docs/runbook $locale page of $topic opens "check first" with the same step', ({ topic, locale }) => {
    const page = fs.readFileSync(path.join(runbookDir, locale === 'ko' ? 'ko' : '', `${topic}.md`), 'utf8');
    const heading = locale === 'ko' ? '## 먼저 확인할 것' : '## Check first';
    const body = page.slice(page.indexOf(`${heading}\n`) + heading.length + 1).trimStart();
    const step = locales[locale].firstStep(topic)!.replaceAll('{subject}', '<name>');
    expect(body.split('\n')[0]).toBe(`**${locales[locale].firstStepLabel}:** ${step}`);
  });
});
