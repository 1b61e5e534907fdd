import type { Incident } from '../../incidents/types.ts';
import type { Button, Rendered } from '../channels/types.ts';
import { isSilent, type RenderContext } from './context.ts';
import { escapeHtml, field, htmlToText } from './html.ts';
import { locales } from './locales/index.ts';

/** A critical gone this fast with nobody and nothing acting on it was a blip, and the reply says so. */
const blipMs = 60_000;

/**
 * The short reply under a resolved alert. It arrives silently unless `telegram.resolvedSound`:
 * good news at 3 a.m. is read in the morning, and the edited alert already shows it.
 */
export function renderResolvedReply(incident: Incident, context: RenderContext): Rendered {
  const t = locales[context.locale];
  const tookMs = Math.max(0, (incident.resolvedAt ?? context.now) - incident.openedAt);
  const title = escapeHtml(t.topicTitle(incident.topic));
  const byItself =
    incident.severity === 'critical' &&
    tookMs < blipMs &&
    incident.acknowledgedAt === null &&
    incident.actions.length === 0;
  const reply = t.resolvedReply(title, field(incident.subject, 200), t.duration(tookMs));
  const html = byItself ? `${reply}\n${t.resolvedByItself}` : reply;
  const silent = context.resolvedSound === true ? isSilent(incident.severity, context) : true;
  return { html, text: htmlToText(html), buttons: [], silent };
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
