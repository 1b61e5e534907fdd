import type { Kysely } from 'kysely';
import type { Config } from '../config/schema.ts';
import type { ChangeWriter } from '../incidents/tracker.ts';
import { urgency } from '../incidents/conversation.ts';
import { editedOnRepeat } from '../incidents/topics.ts';
import { severityRank, type Incident, type IncidentChange, type Severity } from '../incidents/types.ts';
import { conversationMembers } from '../store/incidents.ts';
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

/** The chats of `telegram.chats`, as the outbox writer routes to them. */
export function alertChats(config: Config): AlertChat[] {
  return config.telegram.chats.map((chat) => ({ id: chat.id, thread: chat.thread, minSeverity: chat.minSeverity }));
}

/** `alert-delivery:<chatId>` is about one chat: sending it there would fail again. */
const deliveryTopic = 'alert-delivery';

/**
 * Decides which messages an incident change needs and writes them to the outbox inside the
 * tracker's transaction. The incidents of one conversation (`incidents/conversation.ts`: one
 * service's outage) share its first message, their page: a change edits the page; a new incident
 * or a severity that rises past everything the conversation showed adds a short escalation reply
 * under a delivered page (it says what changed; a pending page shows it when it leaves); the last
 * member's resolution adds one resolved reply. A chat
 * without a page (the outage was below its `minSeverity`) gets one when the conversation reaches
 * it. A reminder is a reply under the newest page per chat. A repeat writes nothing, except an edit
 * for topics in `editedOnRepeat`. What is suppressed (the change's stamp) is recorded but not announced.
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
  const members = await conversationMembers(trx, incident.conversationId);
  const pages = await deliverable(
    trx,
    members.map((m) => m.id),
  );
  switch (change.kind) {
    case 'opened':
    case 'noticed':
    case 'escalated': {
      if (!announce) return [];
      const paged = new Set(pages.map((p) => p.chatId));
      const fresh = alerts(incident, chats).filter((row) => !paged.has(row.chatId));
      const before = [...members.filter((m) => m.id !== incident.id), ...(change.previous ? [change.previous] : [])];
      const rises = before.every((m) => urgency(m) < urgency(incident));
      // a page still waiting to leave will show this change itself
      const delivered = pages.filter((p) => p.state !== 'pending');
      return [
        ...fresh,
        ...refs('edit', pages, incident),
        ...(rises ? refs('escalation', newestPerChat(delivered), incident) : []),
      ];
    }
    case 'updated': {
      if (!announce) return [];
      // Still open but never announced (its parent recovered first, or its silence expired): now it is news.
      if (pages.length === 0) return alerts(incident, chats);
      return editedOnRepeat.has(incident.topic) ? refs('edit', pages, incident) : [];
    }
    case 'reminded':
      return announce ? refs('reminder', newestPerChat(pages), incident) : [];
    case 'resolved': {
      const edits = refs('edit', pages, incident);
      // the outage goes on while another member is open; info never rang, so its reply would only add noise
      if (members.some((m) => m.state !== 'resolved') || members.every((m) => m.severity === 'info')) return edits;
      // one reply per chat, under its newest page
      return [...edits, ...refs('resolved-reply', newestPerChat(pages), incident)];
    }
    case 'acknowledged':
    case 'action':
      return refs('edit', pages, incident);
  }
}

/** Rows that edit or answer the conversation's pages: one per page given. */
function refs(
  kind: 'edit' | 'resolved-reply' | 'reminder' | 'escalation',
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

/** The pages of a conversation's incidents that reached (or may still reach) their chat. */
async function deliverable(trx: Kysely<Tables>, incidentIds: readonly number[]) {
  const rows = await incidentMessages(trx, incidentIds);
  return rows.filter((row) => row.state === 'sent' || row.state === 'logged' || row.state === 'pending');
}
