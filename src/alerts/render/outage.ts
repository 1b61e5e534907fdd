import { leadOf, needsHuman } from '../../incidents/conversation.ts';
import { editedOnRepeat } from '../../incidents/topics.ts';
import type { Incident } from '../../incidents/types.ts';
import type { Rendered } from '../channels/types.ts';
import { isSilent, type RenderContext } from './context.ts';
import { escapeHtml, field, htmlToText } from './html.ts';
import { renderIncident, severityMark } from './incident.ts';
import { locales } from './locales/index.ts';
import { formatClock } from './time.ts';

/**
 * An outage's incidents (`incidents/conversation.ts`) seen as one: the lead's title, first step and
 * buttons; since the first member opened; every member's actions (one restart count for the whole
 * outage); resolved, with the whole duration, once every member is.
 */
export function outageView(members: readonly Incident[]): Incident {
  const lead = leadOf(members);
  const resolved = members.every((m) => m.state === 'resolved');
  const withExcerpt = [lead, ...[...members].reverse()].find((m) => m.excerpt);
  return {
    ...lead,
    openedAt: Math.min(...members.map((m) => m.openedAt)),
    lastSeenAt: Math.max(...members.map((m) => m.lastSeenAt)),
    state: resolved ? 'resolved' : lead.state,
    resolvedAt: resolved ? Math.max(...members.map((m) => m.resolvedAt ?? m.lastSeenAt)) : null,
    actions: members.flatMap((m) => m.actions).sort((a, b) => a.at - b.at),
    excerpt: withExcerpt?.excerpt ?? null,
  };
}

/**
 * The page of a conversation: one incident's alert, or for an outage of several the lead's alert
 * telling the whole story, one line per member in opening order (`🟠 03:02 Service crashed…: detail ✅ 03:05`).
 */
export function renderConversation(members: readonly Incident[], context: RenderContext): Rendered {
  if (members.length === 1) return renderIncident(members[0]!, context);
  const t = locales[context.locale];
  const clock = (at: number): string => formatClock(at, context.now, context.timezone, t.intl);
  const story = members.map((m) => {
    const again =
      editedOnRepeat.has(m.topic) && m.count > 1
        ? ` (${t.crashedAgain(m.count, clock(m.openedAt), clock(m.lastSeenAt))})`
        : '';
    const done = m.state === 'resolved' && m.resolvedAt !== null ? ` ✅ ${clock(m.resolvedAt)}` : '';
    const title = escapeHtml(t.topicTitle(m.topic));
    return `${severityMark[m.severity]} ${clock(m.openedAt)} <b>${title}</b>${again}: ${field(m.detail, 300)}${done}`;
  });
  return renderIncident(outageView(members), context, story);
}

/**
 * The short reply under a page when the outage got worse: what changed. It rings as its severity
 * does, except where an earlier member already rang the chat for this outage: then only the step
 * to "a human is needed" rings again. (Quiet hours are judged now, for the earlier members too.)
 */
export function renderEscalation(incident: Incident, members: readonly Incident[], context: RenderContext): Rendered {
  const t = locales[context.locale];
  const headline = t.escalated(escapeHtml(t.topicTitle(incident.topic)), field(incident.subject, 200));
  const html = incident.detail.trim() === '' ? headline : `${headline}\n${field(incident.detail, 300)}`;
  const rang = members.some((m) => m.id < incident.id && !isSilent(m.severity, context));
  const silent = isSilent(incident.severity, context) || (rang && !needsHuman(incident));
  return { html, text: htmlToText(html), buttons: [], silent };
}
