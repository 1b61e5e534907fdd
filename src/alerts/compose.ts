import type { Kysely } from 'kysely';
import type { Incident } from '../incidents/types.ts';
import { conversationMembers, getIncidents } from '../store/incidents.ts';
import { getOutboxRows, groupMembers, type OutboxRow } from '../store/outbox.ts';
import type { Tables } from '../store/tables.ts';
import type { Outgoing, Rendered } from './channels/types.ts';
import type { RenderContext } from './render/context.ts';
import { htmlToText, telegramLimit } from './render/html.ts';
import { outageView, renderConversation, renderEscalation } from './render/outage.ts';
import { locales } from './render/locales/index.ts';
import { renderReminder, renderResolvedReply } from './render/replies.ts';
import { renderStorm, type StormKind } from './render/storm.ts';

/**
 * What one send settles: a message carrying one row or a group of rows, an edit settling every
 * pending edit of the same message, or rows to skip because their target never arrived.
 */
export type Unit = { rows: OutboxRow[]; /** The incident keys it is about, for the log line. */ keys: string[] } & (
  | { kind: 'send'; message: Outgoing; groupId: number | null }
  | { kind: 'edit'; message: Outgoing; messageId: string }
  | { kind: 'skip'; reason: string }
);

export interface ComposeOptions {
  db: Kysely<Tables>;
  context: RenderContext;
  /** This many alerts (or replies, or reminders) waiting in a row for one chat go out as one message. */
  stormThreshold: number;
  /** A row as delivered when Telegram accepted it but recording that failed (the dispatcher keeps those in memory). */
  delivered?(row: OutboxRow): OutboxRow;
}

const knownKinds = new Set<string>([
  'incident',
  'edit',
  'resolved-reply',
  'reminder',
  'message',
  'escalation',
] satisfies OutboxRow['kind'][]);

const stormKinds: Partial<Record<OutboxRow['kind'], StormKind>> = {
  incident: 'opened',
  'resolved-reply': 'resolved',
  reminder: 'reminder',
};

/**
 * Decides what to send next for a chat from its pending rows (oldest first) and renders it with
 * the incidents' current state, so a late alert shows what is true when it arrives.
 */
export async function composeNext(rows: readonly OutboxRow[], options: ComposeOptions): Promise<Unit> {
  const head = rows[0]!;
  const t = locales[options.context.locale];
  const outgoing = (rendered: Rendered, carried: readonly OutboxRow[], replyTo: string | null): Outgoing => {
    const format = carried.some((r) => r.plain) ? 'text' : 'html';
    const resent = carried.some((r) => r.resent) && rendered.html.length + t.resent.length + 2 <= telegramLimit;
    return resent
      ? {
          ...rendered,
          html: `${rendered.html}\n\n${t.resent}`,
          text: `${rendered.text}\n\n${htmlToText(t.resent)}`,
          format,
          replyTo,
        }
      : { ...rendered, format, replyTo };
  };
  // A kind from a newer warden (after a downgrade) goes out as what it carries, or fails as a poison row.
  const kind = knownKinds.has(head.kind)
    ? head.kind
    : head.payload
      ? 'message'
      : head.incidentId !== null
        ? 'incident'
        : null;
  if (kind === null) throw new Error(`outbox row ${head.id} has a kind this version does not know: ${head.kind}`);
  if (kind === 'message') {
    const rendered = head.payload ? parseRendered(head.payload) : null;
    if (!rendered) return { kind: 'skip', rows: [head], keys: [], reason: 'message row without payload' };
    return { kind: 'send', rows: [head], keys: [], message: outgoing(rendered, [head], null), groupId: null };
  }
  if (kind === 'edit') return composeEdit(rows, options, outgoing);
  if (kind === 'escalation') return composeEscalation(head, options, outgoing);

  const stormKind = stormKinds[kind] ?? 'opened';
  const run = kind === head.kind ? leadingRun(rows) : [head];
  const incidents = await getIncidents(
    options.db,
    run.map((r) => r.incidentId!),
  );
  const missing = run.filter((r) => !incidents.has(r.incidentId!));
  if (missing.length > 0) return { kind: 'skip', rows: missing, keys: [], reason: 'incident no longer in the store' };

  if (run.length >= options.stormThreshold) {
    const { rendered, count } = renderStorm(
      stormKind,
      run.map((r) => incidents.get(r.incidentId!)!),
      options.context,
    );
    const members = run.slice(0, count);
    const keys = members.map((r) => incidents.get(r.incidentId!)!.key);
    return { kind: 'send', rows: members, keys, message: outgoing(rendered, members, null), groupId: head.id };
  }
  const incident = incidents.get(head.incidentId!)!;
  const keys = [incident.key];
  const members = await conversationMembers(options.db, incident.conversationId);
  if (kind === 'incident') {
    return {
      kind: 'send',
      rows: [head],
      keys,
      message: outgoing(renderConversation(members, options.context), [head], null),
      groupId: null,
    };
  }
  const ref = head.refId === null ? undefined : (await rowsById(options, [head.refId])).get(head.refId);
  const replyTo = ref && (ref.state === 'sent' || ref.state === 'logged') ? ref.messageId : null;
  const rendered =
    head.kind === 'reminder'
      ? renderReminder(incident, options.context)
      : renderResolvedReply(outageView(members), options.context);
  return { kind: 'send', rows: [head], keys, message: outgoing(rendered, [head], replyTo), groupId: null };
}

/** Consecutive rows of the head's kind and thread: the only rows that may share a message. */
function leadingRun(rows: readonly OutboxRow[]): OutboxRow[] {
  const head = rows[0]!;
  const run: OutboxRow[] = [];
  for (const row of rows) {
    if (row.kind !== head.kind || row.thread !== head.thread || row.incidentId === null) break;
    run.push(row);
  }
  return run;
}

/** Outbox rows by id, with the deliveries only the dispatcher's memory holds applied. */
async function rowsById(options: ComposeOptions, ids: readonly number[]): Promise<Map<number, OutboxRow>> {
  const rows = await getOutboxRows(options.db, ids);
  if (!options.delivered) return rows;
  return new Map([...rows].map(([id, row]) => [id, options.delivered!(row)]));
}

/** A `message` row's payload; JSON that is not a message throws, and the row fails as a poison row. */
function parseRendered(payload: string): Rendered {
  const value = JSON.parse(payload) as Partial<Rendered> | null;
  if (typeof value?.html !== 'string' || typeof value.text !== 'string')
    throw new Error('message payload is not a rendered message');
  return { html: value.html, text: value.text, buttons: value.buttons ?? [], silent: value.silent ?? false };
}

type ToOutgoing = (rendered: Rendered, rows: readonly OutboxRow[], replyTo: string | null) => Outgoing;

async function composeEdit(rows: readonly OutboxRow[], options: ComposeOptions, outgoing: ToOutgoing): Promise<Unit> {
  const head = rows[0]!;
  const edits = rows.filter((r) => r.kind === 'edit' && r.refId !== null);
  const refs = await rowsById(
    options,
    edits.map((r) => r.refId!),
  );
  const target = head.refId === null ? undefined : refs.get(head.refId);
  if (!target || target.messageId === null || (target.state !== 'sent' && target.state !== 'logged')) {
    return { kind: 'skip', rows: [head], keys: [], reason: 'the alert it edits was not delivered' };
  }
  // An edit shows the current state, so one edit settles every pending edit of the same message.
  const settled = edits.filter((r) => refs.get(r.refId!)?.messageId === target.messageId);
  let rendered: Rendered;
  let keys: string[];
  if (target.groupId !== null) {
    const members = (await groupMembers(options.db, target.groupId)).filter((r) => r.kind === 'incident');
    const incidents = await getIncidents(
      options.db,
      members.map((r) => r.incidentId!),
    );
    const list = members.map((r) => incidents.get(r.incidentId!)).filter((i): i is Incident => i !== undefined);
    rendered = renderStorm('opened', list, options.context, { complete: true }).rendered;
    const edited = new Set(settled.map((r) => r.incidentId));
    keys = list.filter((i) => edited.has(i.id)).map((i) => i.key);
  } else {
    const incident =
      target.incidentId === null
        ? undefined
        : (await getIncidents(options.db, [target.incidentId])).get(target.incidentId);
    if (!incident) return { kind: 'skip', rows: settled, keys: [], reason: 'incident no longer in the store' };
    rendered = renderConversation(await conversationMembers(options.db, incident.conversationId), options.context);
    keys = [incident.key];
  }
  return { kind: 'edit', rows: settled, keys, message: outgoing(rendered, settled, null), messageId: target.messageId };
}

/** The reply that says an outage got worse, under its page (on its own if the page failed meanwhile). */
async function composeEscalation(head: OutboxRow, options: ComposeOptions, outgoing: ToOutgoing): Promise<Unit> {
  const incident = (await getIncidents(options.db, [head.incidentId!])).get(head.incidentId!);
  if (!incident) return { kind: 'skip', rows: [head], keys: [], reason: 'incident no longer in the store' };
  const page = head.refId === null ? undefined : (await rowsById(options, [head.refId])).get(head.refId);
  const replyTo = page && (page.state === 'sent' || page.state === 'logged') ? page.messageId : null;
  const members = await conversationMembers(options.db, incident.conversationId);
  const rendered = renderEscalation(incident, members, options.context);
  return {
    kind: 'send',
    rows: [head],
    keys: [incident.key],
    message: outgoing(rendered, [head], replyTo),
    groupId: null,
  };
}
