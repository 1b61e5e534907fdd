import type { Incident } from '../../incidents/types.ts';
import type { Button, Rendered } from '../channels/types.ts';
import { isSilent, type RenderContext } from './context.ts';
import { escapeHtml, field, htmlToText } from './html.ts';
import { locales } from './locales/index.ts';

/** The short reply under a resolved alert, so the phone is notified (the edit alone is silent). */
export function renderResolvedReply(incident: Incident, context: RenderContext): Rendered {
  const t = locales[context.locale];
  const duration = t.duration(Math.max(0, (incident.resolvedAt ?? context.now) - incident.openedAt));
  const html = t.resolvedReply(escapeHtml(t.topicTitle(incident.topic)), field(incident.subject, 200), duration);
  return { html, text: htmlToText(html), buttons: [], silent: isSilent(incident.severity, context) };
}

/** The reminder for an open critical incident nobody acknowledged, as a reply to its alert. */
export function renderReminder(incident: Incident, context: RenderContext): Rendered {
  const t = locales[context.locale];
  const duration = t.duration(Math.max(0, context.now - incident.openedAt));
  const html = t.reminder(escapeHtml(t.topicTitle(incident.topic)), field(incident.subject, 200), duration);
  const url = context.runbookUrl(incident.topic);
  const buttons: Button[][] = url ? [[{ text: t.runbookButton, url }]] : [];
  return { html, text: htmlToText(html), buttons, silent: isSilent(incident.severity, context) };
}
