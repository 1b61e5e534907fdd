import type { Incident } from '../../incidents/types.ts';
import type { Button } from '../channels/types.ts';
import type { Locale, RenderContext } from './context.ts';

/**
 * The action buttons under an alert, answered by the bot (`src/bot/callbacks.ts`). Their callback
 * data is `<action>:<incident id>`; the bot checks it against the store before doing anything.
 */
export type AlertAction = 'ack' | 'silence' | 'restart';

const codes: Record<AlertAction, string> = { ack: 'ack', silence: 'sil', restart: 'rst' };

const labels: Record<Locale, Record<AlertAction, string>> = {
  en: { ack: '👀 Ack', silence: '🔕 Silence 1h', restart: '🔄 Restart now' },
  ko: { ack: '👀 확인', silence: '🔕 1시간 보류', restart: '🔄 지금 재시작' },
};

/** How long the Silence button silences an incident's alerts. */
export const buttonSilenceMs = 60 * 60_000;

/** Topics about one service whose alert offers Restart now (when the service can be restarted). */
export const restartTopics: ReadonlySet<string> = new Set([
  'service-down',
  'service-crashed',
  'crash-loop',
  'restart-gave-up',
]);

export function alertActionData(action: AlertAction, incidentId: number): string {
  return `${codes[action]}:${incidentId}`;
}

export function parseAlertActionData(data: string): { action: AlertAction; incidentId: number } | null {
  const match = /^(ack|sil|rst):(\d{1,15})$/.exec(data);
  if (!match) return null;
  const action = (Object.keys(codes) as AlertAction[]).find((a) => codes[a] === match[1])!;
  return { action, incidentId: Number(match[2]) };
}

/** The actions that fit an incident in its current state; none once it is resolved. */
export function fittingActions(
  incident: Pick<Incident, 'state' | 'topic' | 'subject'>,
  restartable: (service: string) => boolean,
): AlertAction[] {
  if (incident.state === 'resolved') return [];
  const actions: AlertAction[] = incident.state === 'open' ? ['ack', 'silence'] : ['silence'];
  if (restartTopics.has(incident.topic) && restartable(incident.subject)) actions.push('restart');
  return actions;
}

/** One row of action buttons, only when the bot takes commands (`context.actions` is set). */
export function actionButtons(incident: Incident, context: RenderContext): Button[][] {
  if (!context.actions) return [];
  const actions = fittingActions(incident, context.actions.restartable);
  if (actions.length === 0) return [];
  return [actions.map((a) => ({ text: labels[context.locale][a], callbackData: alertActionData(a, incident.id) }))];
}
