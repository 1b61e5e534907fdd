import { sql, type Kysely, type Selectable } from 'kysely';
import type { OutboxTable, Tables } from './tables.ts';

type Db = Kysely<Tables>;
export type OutboxKind = OutboxTable['kind'];
export type OutboxState = OutboxTable['state'];

/** One outbox row as the alert code sees it. */
export interface OutboxRow {
  id: number;
  chatId: string;
  thread: number | null;
  kind: OutboxKind;
  incidentId: number | null;
  refId: number | null;
  payload: string | null;
  owner: string | null;
  state: OutboxState;
  attempts: number;
  plain: boolean;
  createdAt: number;
  nextAttemptAt: number;
  sentAt: number | null;
  messageId: string | null;
  groupId: number | null;
  lastError: string | null;
  /** Sent again because warden died while sending it: the message says so. */
  resent: boolean;
}

export interface NewOutboxRow {
  chatId: string;
  thread: number | null;
  kind: OutboxKind;
  incidentId?: number | null;
  refId?: number | null;
  payload?: string | null;
  owner?: string | null;
}

function toRow(row: Selectable<OutboxTable>): OutboxRow {
  return {
    id: row.id,
    chatId: row.chat_id,
    thread: row.thread,
    kind: row.kind,
    incidentId: row.incident_id,
    refId: row.ref_id,
    payload: row.payload,
    owner: row.owner,
    state: row.state,
    attempts: row.attempts,
    plain: row.plain === 1,
    createdAt: row.created_at,
    nextAttemptAt: row.next_attempt_at,
    sentAt: row.sent_at,
    messageId: row.message_id,
    groupId: row.group_id,
    lastError: row.last_error,
    resent: row.resent === 1,
  };
}

/**
 * The instance claiming a chat's rows: its host (one daemon per host per store) and a token naming
 * this process, so a restart on the same host knows the claims of its dead predecessor.
 */
export interface Claimant {
  host: string;
  token: string;
  /** How long a claim holds without being renewed; after it, another instance takes the chat over. */
  leaseMs: number;
}

/** What a claim found: the chat's rows (now this instance's), another live holder, or a head row locked this instant. */
export type ChatClaim = { state: 'claimed'; rows: OutboxRow[]; takenOver: number } | { state: 'held' | 'contended' };

type ClaimColumns = Pick<Selectable<OutboxTable>, 'claim_token' | 'claim_host' | 'claim_until'>;

/**
 * Claims a chat for one send: locks its pending daemon rows (oldest first; on PostgreSQL with
 * `FOR UPDATE SKIP LOCKED`, so two instances never wait on each other) and marks them as this
 * instance's until `now + leaseMs`. One sender per chat keeps its order, its edits after their
 * alert, and its storm grouping. Rows taken over from a holder that died while sending
 * (`sending_at` still set) are flagged `resent`, as at a restart.
 */
export async function claimChat(
  db: Db,
  chatId: string,
  claimant: Claimant,
  options: { now: number; limit: number; rowLocks: boolean },
): Promise<ChatClaim> {
  const { now } = options;
  const foreign = (r: ClaimColumns): boolean => r.claim_token !== null && r.claim_token !== claimant.token;
  // the same host's other token is this daemon's predecessor: the host lock says it is gone
  const live = (r: ClaimColumns): boolean => foreign(r) && r.claim_host !== claimant.host && (r.claim_until ?? 0) > now;
  const pending = (q: Db) =>
    q
      .selectFrom('outbox')
      .where('state', '=', 'pending')
      .where('chat_id', '=', chatId)
      .where('owner', 'is', null)
      .orderBy('id');
  // a look without locks first: a chat another instance holds is left alone, its rows unlocked
  const head = await pending(db).select(['id', 'claim_token', 'claim_host', 'claim_until']).executeTakeFirst();
  if (!head) return { state: 'claimed', rows: [], takenOver: 0 };
  if (live(head)) return { state: 'held' };
  return db.transaction().execute(async (trx): Promise<ChatClaim> => {
    const look = pending(trx).selectAll().limit(options.limit);
    const rows = options.rowLocks ? await look.forUpdate().skipLocked().execute() : await look.execute();
    if (rows.length === 0) return { state: 'claimed', rows: [], takenOver: 0 };
    // another instance is claiming (or recording) the head this instant: it was skipped
    if (rows[0]!.id !== head.id && options.rowLocks) {
      const first = await pending(trx).select('id').executeTakeFirst();
      if (first && first.id !== rows[0]!.id) return { state: 'contended' };
    }
    if (rows.some(live)) return { state: 'held' };
    const cutOff = rows.filter((r) => foreign(r) && r.sending_at !== null).map((r) => r.id);
    const flagged = rows.filter((r) => cutOff.includes(r.id) && r.kind !== 'edit').map((r) => r.id);
    if (cutOff.length > 0) {
      await trx.updateTable('outbox').set({ sending_at: null }).where('id', 'in', cutOff).execute();
      if (flagged.length > 0) await trx.updateTable('outbox').set({ resent: 1 }).where('id', 'in', flagged).execute();
    }
    await trx
      .updateTable('outbox')
      .set({ claim_host: claimant.host, claim_token: claimant.token, claim_until: now + claimant.leaseMs })
      .where(
        'id',
        'in',
        rows.map((r) => r.id),
      )
      .execute();
    return {
      state: 'claimed',
      rows: rows.map((r) => ({ ...toRow(r), resent: r.resent === 1 || flagged.includes(r.id) })),
      takenOver: flagged.length,
    };
  });
}

/** Gives up this instance's claims at stop, so another instance sends those chats at once. */
export async function releaseClaims(db: Db, token: string): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ claim_host: null, claim_token: null, claim_until: null })
    .where('state', '=', 'pending')
    .where('claim_token', '=', token)
    .where('sending_at', 'is', null)
    .execute();
}

/** When other instances last sent to a chat (since `since`), one time per message, oldest first. */
export async function othersSends(db: Db, chatId: string, token: string, since: number): Promise<number[]> {
  const rows = await db
    .selectFrom('outbox')
    .select(['sent_at', 'message_id'])
    .distinct()
    .where('chat_id', '=', chatId)
    .where('state', '=', 'sent')
    .where('sent_at', '>', since)
    .where('claim_token', 'is not', null)
    .where('claim_token', '<>', token)
    .orderBy('sent_at')
    .execute();
  return rows.map((r) => r.sent_at ?? 0);
}

/**
 * Reserves the next send slot of a limit every instance of a fleet shares: `gapMs` after the last
 * slot anyone reserved, and not before `from`. One row per limit; PostgreSQL only (a SQLite store
 * has one daemon, whose pacer counts alone).
 */
export async function reserveSharedSlot(db: Db, key: string, from: number, gapMs: number): Promise<number> {
  const row = await db
    .insertInto('outbox_pace')
    .values({ key, slot: from })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({ slot: sql<number>`GREATEST(outbox_pace.slot + ${Math.ceil(gapMs)}, ${from})` }),
    )
    .returning('slot')
    .executeTakeFirstOrThrow();
  return Number(row.slot);
}

/** Writes rows as pending, due now; returns their ids in order. */
export async function enqueueOutbox(db: Db, rows: readonly NewOutboxRow[], now: number): Promise<number[]> {
  if (rows.length === 0) return [];
  const ids: number[] = [];
  // One insert per row keeps ids in the given order on both dialects.
  for (const row of rows) {
    const inserted = await db
      .insertInto('outbox')
      .values({
        chat_id: row.chatId,
        thread: row.thread,
        kind: row.kind,
        incident_id: row.incidentId ?? null,
        ref_id: row.refId ?? null,
        payload: row.payload ?? null,
        owner: row.owner ?? null,
        state: 'pending',
        attempts: 0,
        plain: 0,
        created_at: now,
        next_attempt_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids.push(inserted.id);
  }
  return ids;
}

/** Chats with pending rows of this owner (null: the daemon's). */
export async function chatsWithPending(db: Db, owner: string | null): Promise<string[]> {
  const rows = await db
    .selectFrom('outbox')
    .select('chat_id')
    .distinct()
    .where('state', '=', 'pending')
    .where((eb) => (owner === null ? eb('owner', 'is', null) : eb('owner', '=', owner)))
    .execute();
  return rows.map((r) => r.chat_id);
}

/** A chat's pending rows, oldest first: the head decides what is sent next. */
export async function pendingForChat(
  db: Db,
  chatId: string,
  owner: string | null,
  limit: number,
): Promise<OutboxRow[]> {
  const rows = await db
    .selectFrom('outbox')
    .selectAll()
    .where('state', '=', 'pending')
    .where('chat_id', '=', chatId)
    .where((eb) => (owner === null ? eb('owner', 'is', null) : eb('owner', '=', owner)))
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toRow);
}

export async function getOutboxRows(db: Db, ids: readonly number[]): Promise<Map<number, OutboxRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('outbox')
    .selectAll()
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.id, toRow(r)]));
}

/** The alert rows of these incidents (one per chat each went to), which edits and replies refer to. */
export async function incidentMessages(db: Db, incidentIds: readonly number[]): Promise<OutboxRow[]> {
  if (incidentIds.length === 0) return [];
  const rows = await db
    .selectFrom('outbox')
    .selectAll()
    .where('incident_id', 'in', [...incidentIds])
    .where('kind', '=', 'incident')
    .orderBy('id')
    .execute();
  return rows.map(toRow);
}

/** The rows a grouped message carried. */
export async function groupMembers(db: Db, groupId: number): Promise<OutboxRow[]> {
  const rows = await db.selectFrom('outbox').selectAll().where('group_id', '=', groupId).orderBy('id').execute();
  return rows.map(toRow);
}

export async function markDelivered(
  db: Db,
  ids: readonly number[],
  outcome: { messageId: string; at: number; toLog: boolean; groupId: number | null },
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('outbox')
    .set((eb) => ({
      state: outcome.toLog ? 'logged' : 'sent',
      message_id: outcome.messageId,
      sent_at: outcome.at,
      group_id: outcome.groupId,
      attempts: eb('attempts', '+', 1),
      last_error: null,
      sending_at: null,
    }))
    .where('id', 'in', [...ids])
    .execute();
}

export async function markRetry(
  db: Db,
  ids: readonly number[],
  retry: { nextAttemptAt: number; error: string; plain?: boolean; countAttempt: boolean },
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('outbox')
    .set((eb) => ({
      next_attempt_at: retry.nextAttemptAt,
      last_error: retry.error,
      attempts: retry.countAttempt ? eb('attempts', '+', 1) : eb.ref('attempts'),
      sending_at: null,
      ...(retry.plain ? { plain: 1 } : {}),
    }))
    .where('id', 'in', [...ids])
    .execute();
}

/** Ends rows that will not be sent: `failed` (Telegram refused), `skipped` (nothing left to edit), `abandoned`. */
export async function markFinished(
  db: Db,
  ids: readonly number[],
  outcome: { state: 'failed' | 'skipped' | 'abandoned'; reason: string; at: number; messageId?: string | null },
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('outbox')
    .set((eb) => ({
      state: outcome.state,
      last_error: outcome.reason,
      sent_at: outcome.at,
      attempts: eb('attempts', '+', 1),
      sending_at: null,
      ...(outcome.messageId ? { message_id: outcome.messageId } : {}),
    }))
    .where('id', 'in', [...ids])
    .where('state', '=', 'pending')
    .execute();
}

/**
 * Notes that these rows are about to be sent: until the outcome is recorded, a crash leaves the mark.
 * With a claim, only rows this instance still holds are marked, and their lease is renewed to cover
 * the send; returns how many were marked (fewer: another instance took the chat over, do not send).
 */
export async function markSending(
  db: Db,
  ids: readonly number[],
  at: number,
  claim?: { token: string; until: number },
): Promise<number> {
  if (ids.length === 0) return 0;
  let update = db
    .updateTable('outbox')
    .set({ sending_at: at, ...(claim ? { claim_until: claim.until } : {}) })
    .where('id', 'in', [...ids]);
  if (claim) update = update.where('claim_token', '=', claim.token);
  return Number((await update.executeTakeFirst()).numUpdatedRows);
}

/**
 * At the daemon's start: pending rows still marked as sending were in flight when the last run
 * of this host died, and Telegram may have them. They are sent again (at-least-once), flagged so
 * the message says why. Returns how many. Other hosts' sends are theirs (or taken over by
 * `claimChat` once their claim ran out).
 */
export async function flagInterruptedSends(db: Db, host: string): Promise<number> {
  const interrupted = db
    .updateTable('outbox')
    .where('state', '=', 'pending')
    .where('owner', 'is', null)
    .where('sending_at', 'is not', null)
    .where((eb) => eb.or([eb('claim_host', 'is', null), eb('claim_host', '=', host)]));
  const result = await interrupted.set({ resent: 1, sending_at: null }).where('kind', '<>', 'edit').executeTakeFirst();
  await interrupted.set({ sending_at: null }).execute();
  return Number(result.numUpdatedRows);
}

/** Pending rows of CLI processes that are gone (older than `before`): nobody will send them. */
export async function abandonForeignRows(db: Db, before: number, at: number): Promise<number> {
  const result = await db
    .updateTable('outbox')
    .set({ state: 'abandoned', last_error: 'the command that queued it exited before delivery', sent_at: at })
    .where('state', '=', 'pending')
    .where('owner', 'is not', null)
    .where('created_at', '<', before)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** When each incident was last reminded, from its reminder rows. */
export async function lastReminders(db: Db, incidentIds: readonly number[]): Promise<Map<number, number>> {
  if (incidentIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('outbox')
    .select(['incident_id', (eb) => eb.fn.max('created_at').as('at')])
    .where('kind', '=', 'reminder')
    .where('incident_id', 'in', [...incidentIds])
    .groupBy('incident_id')
    .execute();
  return new Map(rows.map((r) => [r.incident_id!, Number(r.at)]));
}

export interface OutboxBacklog {
  pending: number;
  oldestPendingAt: number | null;
  chats: Array<{ chatId: string; pending: number; oldestAt: number; lastError: string | null }>;
  /** Copies that will not be delivered (Telegram refused them), newest first. */
  failed: Array<{ chatId: string; kind: OutboxKind; at: number; reason: string }>;
  lastDeliveredAt: number | null;
  lastLoggedAt: number | null;
}

/** How many messages wait for delivery, and since when the oldest has: cheap enough for every scrape. */
export async function pendingSummary(db: Db): Promise<{ pending: number; oldestPendingAt: number | null }> {
  const row = await db
    .selectFrom('outbox')
    .select([(eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.min('created_at').as('oldest')])
    .where('state', '=', 'pending')
    .executeTakeFirst();
  const oldest = row?.oldest;
  return {
    pending: Number(row?.n ?? 0),
    oldestPendingAt: oldest === null || oldest === undefined ? null : Number(oldest),
  };
}

/** What `warden status` shows: pending rows per chat, and recent copies that failed for good. */
export async function outboxBacklog(db: Db, failedSince: number): Promise<OutboxBacklog> {
  const pending = await db
    .selectFrom('outbox')
    .select(['chat_id', 'created_at', 'last_error'])
    .where('state', '=', 'pending')
    .orderBy('id')
    .execute();
  const chats = new Map<string, { chatId: string; pending: number; oldestAt: number; lastError: string | null }>();
  for (const row of pending) {
    const chat = chats.get(row.chat_id) ?? {
      chatId: row.chat_id,
      pending: 0,
      oldestAt: row.created_at,
      lastError: null,
    };
    chat.pending++;
    chat.lastError = row.last_error ?? chat.lastError;
    chats.set(row.chat_id, chat);
  }
  const failed = await db
    .selectFrom('outbox')
    .select(['chat_id', 'kind', 'sent_at', 'last_error'])
    .where('state', 'in', ['failed', 'abandoned'])
    .where('sent_at', '>=', failedSince)
    .orderBy('id', 'desc')
    .limit(20)
    .execute();
  const last = async (state: 'sent' | 'logged'): Promise<number | null> => {
    const row = await db
      .selectFrom('outbox')
      .select((eb) => eb.fn.max('sent_at').as('at'))
      .where('state', '=', state)
      .executeTakeFirst();
    return row?.at === null || row?.at === undefined ? null : Number(row.at);
  };
  return {
    pending: pending.length,
    oldestPendingAt: pending[0]?.created_at ?? null,
    chats: [...chats.values()],
    failed: failed.map((f) => ({ chatId: f.chat_id, kind: f.kind, at: f.sent_at ?? 0, reason: f.last_error ?? '' })),
    lastDeliveredAt: await last('sent'),
    lastLoggedAt: await last('logged'),
  };
}
