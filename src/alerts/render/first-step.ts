import type { Incident } from '../../incidents/types.ts';
import { escapeHtml, field } from './html.ts';
import type { Texts } from './locales/texts.ts';

/**
 * `👉 <b>First step</b>: Run <code>npm run pm2 -- logs api …</code> …` — what to do before opening
 * the runbook, so the alert alone is enough to start. Empty for a topic this version does not know.
 */
export function firstStepLines(incident: Pick<Incident, 'topic' | 'subject'>, t: Texts): string[] {
  const step = t.firstStep(incident.topic);
  if (!step) return [];
  const subject = field(incident.subject, 200);
  const html = escapeHtml(step)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replaceAll('{subject}', () => subject);
  return [`👉 <b>${t.firstStepLabel}</b>: ${html}`];
}
