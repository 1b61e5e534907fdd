import type { Kysely } from 'kysely';
import type { ChangeWriter } from '../incidents/tracker.ts';
import { severityRank, type Incident, type IncidentChange, type Severity } from '../incidents/types.ts';
import { activeSilenceTargets, enqueueOutbox, incidentMessages, type NewOutboxRow } from '../store/outbox.ts';
import { silenceCovers } from '../store/silences.ts';
import type { Tables } from '../store/tables.ts';

/**
 * A chat alerts go to. With no chats configured, alerts go to the pseudo-chat `log` (the log
 * channel), so nothing is dropped silently.
 * @example { id: '-1001234567890', thread: 12, minSeverity: 'warning' }
 */
export interface AlertChat {
  id: string;
  thread?: number | undefined;
  minSeverity: Severity;
}

export const logChat: AlertChat = { id: 'log', minSeverity: 'info' };

/** `alert-delivery:<chatId>` is about one chat: sending it there would fail again. */
const deliveryTopic = 'alert-delivery';

/**
 * Decides which messages an incident change needs and writes them to the outbox inside the
 * tracker's transaction: a new incident → an alert per chat; a resolution → an edit of each alert
 * and a short reply; an acknowledgement or action → an edit. A repeat writes nothing.
 */
export function outboxWriter(chats: readonly AlertChat[]): ChangeWriter {
  const recipients = chats.length > 0 ? chats : [logChat];
  return async (change, trx) => {
    const rows = await plan(change, trx, recipients);
    await enqueueOutbox(trx, rows, change.at);
  };
}

async function plan(change: IncidentChange, trx: Kysely<Tables>, chats: readonly AlertChat[]): Promise<NewOutboxRow[]> {
  const { incident } = change;
  switch (change.kind) {
    case 'opened':
    case 'noticed':
    case 'escalated':
      return (await announces(incident, change.at, trx)) ? alerts(incident, chats) : [];
    case 'updated':
      // Still open but never announced (its parent recovered first, or its silence expired): now it is news.
      if (!(await announces(incident, change.at, trx))) return [];
      return (await incidentMessages(trx, incident.id)).length === 0 ? alerts(incident, chats) : [];
    case 'resolved': {
      const sent = await deliverable(trx, incident.id);
      const edits = sent.map((row) => ({
        chatId: row.chatId,
        thread: row.thread,
        kind: 'edit' as const,
        incidentId: incident.id,
        refId: row.id,
      }));
      // info never rings, so its reply would only add noise under the edited alert
      if (incident.severity === 'info') return edits;
      // one reply per chat, under its newest alert (an escalation sent a second one)
      const newest = new Map(sent.map((row) => [row.chatId, row]));
      const replies = [...newest.values()].map((row) => ({
        chatId: row.chatId,
        thread: row.thread,
        kind: 'resolved-reply' as const,
        incidentId: incident.id,
        refId: row.id,
      }));
      return [...edits, ...replies];
    }
    case 'acknowledged':
    case 'action':
      return (await deliverable(trx, incident.id)).map((row) => ({
        chatId: row.chatId,
        thread: row.thread,
        kind: 'edit' as const,
        incidentId: incident.id,
        refId: row.id,
      }));
  }
}

async function announces(incident: Incident, at: number, trx: Kysely<Tables>): Promise<boolean> {
  if (incident.parentKey !== null) return false;
  return !(await activeSilenceTargets(trx, at)).some((target) => silenceCovers(target, incident.key));
}

function alerts(incident: Incident, chats: readonly AlertChat[]): NewOutboxRow[] {
  return chats
    .filter((chat) => severityRank[incident.severity] >= severityRank[chat.minSeverity])
    .filter((chat) => !(incident.topic === deliveryTopic && incident.subject === chat.id))
    .map((chat) => ({ chatId: chat.id, thread: chat.thread ?? null, kind: 'incident', incidentId: incident.id }));
}

/** The alert rows of an incident that reached (or may still reach) their chat. */
async function deliverable(trx: Kysely<Tables>, incidentId: number) {
  const rows = await incidentMessages(trx, incidentId);
  return rows.filter((row) => row.state === 'sent' || row.state === 'logged' || row.state === 'pending');
}
