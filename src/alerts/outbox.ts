import type { Kysely } from 'kysely';
import type { ChangeWriter } from '../incidents/tracker.ts';
import { editedOnRepeat } from '../incidents/topics.ts';
import { severityRank, type Incident, type IncidentChange, type Severity } from '../incidents/types.ts';
import { enqueueOutbox, incidentMessages, type NewOutboxRow, type OutboxRow } from '../store/outbox.ts';
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
 * and a short reply; an acknowledgement or action → an edit; a reminder → a reply under the newest
 * alert per chat. A repeat writes nothing, except an edit for topics in `editedOnRepeat`. What is
 * suppressed (the change's stamp) is recorded but not announced.
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
  const announce = change.suppressed === null;
  switch (change.kind) {
    case 'opened':
    case 'noticed':
    case 'escalated':
      return announce ? alerts(incident, chats) : [];
    case 'updated': {
      if (!announce) return [];
      const sent = await incidentMessages(trx, incident.id);
      // Still open but never announced (its parent recovered first, or its silence expired): now it is news.
      if (sent.length === 0) return alerts(incident, chats);
      return editedOnRepeat.has(incident.topic) ? refs('edit', await deliverable(trx, incident.id), incident) : [];
    }
    case 'reminded':
      return announce ? refs('reminder', newestPerChat(await deliverable(trx, incident.id)), incident) : [];
    case 'resolved': {
      const sent = await deliverable(trx, incident.id);
      const edits = refs('edit', sent, incident);
      // info never rings, so its reply would only add noise under the edited alert
      if (incident.severity === 'info') return edits;
      // one reply per chat, under its newest alert (an escalation sent a second one)
      return [...edits, ...refs('resolved-reply', newestPerChat(sent), incident)];
    }
    case 'acknowledged':
    case 'action':
      return refs('edit', await deliverable(trx, incident.id), incident);
  }
}

/** Rows that edit or answer the incident's messages: one per message given. */
function refs(
  kind: 'edit' | 'resolved-reply' | 'reminder',
  rows: readonly OutboxRow[],
  incident: Incident,
): NewOutboxRow[] {
  return rows.map((row) => ({ chatId: row.chatId, thread: row.thread, kind, incidentId: incident.id, refId: row.id }));
}

function newestPerChat(rows: readonly OutboxRow[]): OutboxRow[] {
  return [...new Map(rows.map((row) => [row.chatId, row])).values()];
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
