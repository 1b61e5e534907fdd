import { editedOnRepeat } from '../../incidents/topics.ts';
import type { Incident, IncidentAction, Severity } from '../../incidents/types.ts';
import type { Button, Rendered } from '../channels/types.ts';
import { actionButtons } from './buttons.ts';
import { compactExcerpt } from './excerpt.ts';
import { hostsOf, isSilent, type RenderContext } from './context.ts';
import { firstStepLines } from './first-step.ts';
import { clean, escapedTail, escapeHtml, field, htmlToText, telegramLimit } from './html.ts';
import { locales } from './locales/index.ts';
import type { Texts } from './locales/texts.ts';
import { formatClock, zoneLabel } from './time.ts';

export const severityMark: Record<Severity, string> = { critical: '🔴', warning: '🟠', info: '🔵' };

/** A phone screen shows about this much of a log before the runbook link scrolls away. */
const excerptMaxChars = 1500;
const excerptMaxLines = 20;

/**
 * The alert for one incident in its current state: opened, acknowledged (👀) or resolved (✅ and
 * the duration). Every interpolated value is escaped and bounded; the log excerpt takes what room
 * is left, so the message never exceeds Telegram's 4096 characters. `story` (HTML lines, the
 * chapters of an outage: `render/outage.ts`) stands in for the detail line.
 */
export function renderIncident(incident: Incident, context: RenderContext, story?: readonly string[]): Rendered {
  const t = locales[context.locale];
  const clock = (at: number): string => formatClock(at, context.now, context.timezone, t.intl);
  const lines: string[] = [];
  // A notice (warden-restarted) is recorded opened and resolved at once: it has nothing to resolve.
  const notice = incident.resolvedAt === incident.openedAt;
  if (incident.state === 'resolved' && incident.resolvedAt !== null && !notice) {
    lines.push(t.resolvedAfter(t.duration(incident.resolvedAt - incident.openedAt)));
  } else if (incident.state === 'acknowledged' && incident.acknowledgedAt !== null) {
    lines.push(
      t.acknowledged(
        incident.acknowledgedBy ? field(incident.acknowledgedBy, 64) : null,
        clock(incident.acknowledgedAt),
      ),
    );
  }
  lines.push(titleLine(incident, t));
  const since = `${clock(incident.openedAt)} ${escapeHtml(zoneLabel(incident.openedAt, context.timezone, t.intl))}`;
  // a repeat of such a topic edits this message, so the repeat itself is the news
  const repeatLine = editedOnRepeat.has(incident.topic) && incident.count > 1;
  lines.push(
    [
      t.severity[incident.severity],
      t.onHost(field(hostsOf([incident], context), 64)),
      t.since(since, t.duration(Math.max(0, context.now - incident.openedAt))),
      ...(incident.count > 1 && !repeatLine ? [t.seen(incident.count)] : []),
    ].join(' · '),
  );
  if (repeatLine)
    lines.push(`🔁 ${t.crashedAgain(incident.count, clock(incident.openedAt), clock(incident.lastSeenAt))}`);
  if (story) lines.push(...story);
  else if (incident.detail.trim() !== '') lines.push(field(incident.detail, 600));
  lines.push(...summariseActions(incident, t, clock).map((line) => `🛠 ${line}`));
  lines.push(...firstStepLines(incident, t));

  const url = context.runbookUrl(incident.topic);
  const footer = url ? [`📖 <a href="${escapeHtml(url)}">${escapeHtml(t.runbookLink(incident.topic))}</a>`] : [];
  const buttons: Button[][] = [...(url ? [[{ text: t.runbookButton, url }]] : []), ...actionButtons(incident, context)];

  const fixed = [...lines, ...footer].join('\n').length;
  const room = Math.min(excerptMaxChars, telegramLimit - fixed - '\n<pre></pre>\n'.length);
  const excerpt =
    incident.excerpt && clean(incident.excerpt).trim() !== '' && room > 40
      ? escapedTail(compactExcerpt(incident.excerpt), room, excerptMaxLines)
      : '';
  const html = [...lines, ...(excerpt ? [`<pre>${excerpt}</pre>`] : []), ...footer].join('\n');
  return { html, text: htmlToText(html), buttons, silent: isSilent(incident.severity, context) };
}

/** `🔴 <b>Service down</b> · <code>api</code>` — the line a phone shows in the notification. */
export function titleLine(incident: Pick<Incident, 'severity' | 'topic' | 'subject'>, t: Texts): string {
  const subject = incident.subject ? ` · <code>${field(incident.subject, 200)}</code>` : '';
  return `${severityMark[incident.severity]} <b>${escapeHtml(t.topicTitle(incident.topic))}</b>${subject}`;
}

/** `restarted 2× — last at 03:12`, one line per kind of action, newest kind last. */
function summariseActions(incident: Incident, t: Texts, clock: (at: number) => string): string[] {
  const { actions } = incident;
  const byKind = new Map<string, IncidentAction[]>();
  for (const action of actions) byKind.set(action.kind, [...(byKind.get(action.kind) ?? []), action]);
  return [...byKind.entries()].slice(-3).map(([kind, list]) => {
    const last = list.at(-1)!;
    if (kind === 'restart') {
      return t.restarted(list.length, list.filter((a) => !a.ok).length, clock(last.at));
    }
    if (kind === 'pm2-stop') {
      const restarted = actions.some((a) => a.kind === 'restart' && a.at >= last.at);
      const restartIn =
        restarted || last.restartInMs === undefined
          ? undefined
          : last.restartInMs === null
            ? null
            : t.duration(last.restartInMs);
      return t.stoppedByOperator(clock(last.at), field(incident.subject, 200), restartIn);
    }
    return t.otherAction(field(last.detail || kind, 200), list.length, clock(last.at));
  });
}
