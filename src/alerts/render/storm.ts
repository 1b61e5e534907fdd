import type { Topic } from '../../incidents/topics.ts';
import type { Incident } from '../../incidents/types.ts';
import type { Button, Rendered } from '../channels/types.ts';
import { hostsOf, isSilent, type RenderContext } from './context.ts';
import { escapeHtml, field, htmlToText, telegramLimit } from './html.ts';
import { severityMark } from './incident.ts';
import { locales } from './locales/index.ts';
import type { Texts } from './locales/texts.ts';

/** What a grouped message announces: many openings, many resolutions or many reminders. */
export type StormKind = 'opened' | 'resolved' | 'reminder';

/**
 * One message for many incidents (a storm). A new group takes as many incidents as fit and says how
 * many (`count`); the caller sends the rest in the next message. Re-rendering an existing group
 * (`complete: true`) keeps every member, summarising the overflow as "…and N more".
 * @example const { rendered, count } = renderStorm('opened', incidents, context)
 */
export function renderStorm(
  kind: StormKind,
  incidents: Incident[],
  context: RenderContext,
  options: { complete?: boolean } = {},
): { rendered: Rendered; count: number } {
  const t = locales[context.locale];
  const lines = incidents.map((incident) => line(kind, incident, t, context));
  const topics = [...new Set(incidents.map((i) => i.topic))];
  const links = topics
    .map((topic) => ({ topic, url: context.runbookUrl(topic) }))
    .filter((l): l is { topic: Topic; url: string } => l.url !== null);
  const footer =
    links.length > 0
      ? `📖 ${t.runbooks}: ${links
          .slice(0, 6)
          .map((l) => `<a href="${escapeHtml(l.url)}">${escapeHtml(l.topic)}</a>`)
          .join(', ')}`
      : '';
  const header = (count: number): string => {
    const resolved = incidents.slice(0, count).filter((i) => i.state === 'resolved').length;
    const title = { opened: t.stormOpened, resolved: t.stormResolved, reminder: t.stormReminder }[kind](
      count,
      field(hostsOf(incidents.slice(0, count), context), 64),
    );
    return kind === 'opened' && resolved > 0 ? `${title}\n${t.stormProgress(resolved, count)}` : title;
  };

  const reserve =
    header(incidents.length).length + footer.length + 2 + (options.complete ? t.more(incidents.length).length + 1 : 0);
  let used = reserve;
  let count = 0;
  for (const text of lines) {
    if (used + text.length + 1 > telegramLimit) break;
    used += text.length + 1;
    count++;
  }
  count = Math.max(1, count);
  const shown = lines.slice(0, count);
  const total = options.complete ? incidents.length : count;
  if (options.complete && count < incidents.length) shown.push(t.more(incidents.length - count));
  const html = [header(total), '', ...shown, ...(footer ? ['', footer] : [])].join('\n');
  const buttons: Button[][] = links.slice(0, 3).map((l) => [{ text: `${t.runbookButton}: ${l.topic}`, url: l.url }]);
  const silent = incidents.slice(0, count).every((i) => isSilent(i.severity, context));
  return { rendered: { html, text: htmlToText(html), buttons, silent }, count };
}

function line(kind: StormKind, incident: Incident, t: Texts, context: RenderContext): string {
  const title = escapeHtml(t.topicTitle(incident.topic));
  const subject = incident.subject ? ` · <code>${field(incident.subject, 48)}</code>` : '';
  const age = (until: number): string => t.duration(Math.max(0, until - incident.openedAt));
  if (incident.state === 'resolved' || kind === 'resolved') {
    return `✅ <s>${title}</s>${subject} — ${age(incident.resolvedAt ?? context.now)}`;
  }
  const mark =
    incident.state === 'acknowledged' ? `👀${severityMark[incident.severity]}` : severityMark[incident.severity];
  const tail = kind === 'reminder' ? age(context.now) : field(incident.detail, 70);
  return `${mark} <b>${title}</b>${subject}${tail ? ` — ${tail}` : ''}`;
}
