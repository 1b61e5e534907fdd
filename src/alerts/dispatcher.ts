import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { backoffMs } from '../lib/backoff.ts';
import type { Clock } from '../lib/clock.ts';
import { describeError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { Part } from '../lib/part.ts';
import { runInBackground } from '../lib/run-in-background.ts';
import type { Store } from '../store/db.ts';
import {
  abandonForeignRows,
  chatsWithPending,
  claimChat,
  flagInterruptedSends,
  markDelivered,
  markFinished,
  markRetry,
  markSending,
  othersSends,
  pendingForChat,
  releaseClaims,
  type Claimant,
  type OutboxRow,
} from '../store/outbox.ts';
import type { Channel, Delivery } from './channels/types.ts';
import { composeNext, type Unit } from './compose.ts';
import type { Pacer } from './pacer.ts';
import type { RenderContext } from './render/context.ts';

/**
 * What became of outbox rows after one send: delivered (with Telegram's message_id), failed for
 * good, or skipped. Retries are not settlements.
 * @example { outcome: 'delivered', chatId: '42', rowIds: [7], messageId: '118' }
 */
export interface Settlement {
  outcome: 'delivered' | 'failed' | 'skipped';
  chatId: string;
  rowIds: number[];
  messageId: string | null;
  reason: string | null;
  toLog: boolean;
}

export interface DispatcherOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  /** The channel for a chat: Telegram, or the log for the `log` pseudo-chat and in dry-run. */
  channelFor(chatId: string): Channel;
  pacerFor(chatId: string): Pacer;
  renderContext(now: number): RenderContext;
  /** Null for the daemon; a CLI command delivers only the rows it queued under its own owner. */
  owner?: string | null;
  backoff?: { initialMs: number; maxMs: number };
  /** After this long undelivered, every failed retry is logged at error level. */
  undeliveredAfterMs?: number;
  stormThreshold?: number;
  /** How often to look for rows queued by other processes (a CLI `ack`); rows queued here start at once. */
  pollMs?: number;
  /** How long a send in flight may finish after stop() before it is cancelled. */
  stopGraceMs?: number;
  /** Tries (sends, and renders that threw) before a row is `failed` and its chat moves on [5]. */
  maxAttempts?: number;
  /** A chat refused the bot (blocked, not found): the daemon opens `alert-delivery:<chat>`. */
  onRecipientFailed?(chatId: string, reason: string): Promise<void>;
  onDelivered?(chatId: string): Promise<void>;
  /** `config.host`: instances of a fleet claim chats under it (one daemon per host per store) ['']. */
  host?: string;
  /** How long a chat's claim holds unrenewed: a dead sender's chat is taken over after it [30 s]. */
  claimMs?: number;
}

/**
 * Drains the outbox: one worker per chat sends that chat's rows oldest first, so per-chat order
 * holds while a slow or rate-limited chat delays no other. A row counts as sent only with the
 * message_id Telegram returned.
 * @example const dispatcher = createDispatcher({ … }); await dispatcher.start(); tracker.subscribe(() => dispatcher.wake())
 */
export interface Dispatcher extends Part {
  /** Starts delivery of newly queued rows now (no polling delay). */
  wake(): void;
  onSettled(listener: (settlement: Settlement) => void): () => void;
  /** Rows sent again since start because the last run died while sending them. */
  resentTotal(): number;
}

/** A delivery Telegram accepted whose record in the store failed: kept until the write succeeds. */
interface Unrecorded {
  chatId: string;
  ids: number[];
  outcome: { messageId: string; at: number; toLog: boolean; groupId: number | null };
}

const rowsPerLook = 100;
/** Alerts waiting in a row that (about) fill one grouped message. */
const fullGroup = 20;

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { store, clock, log } = options;
  const db = store.db;
  const owner = options.owner ?? null;
  const backoff = options.backoff ?? { initialMs: 1000, maxMs: 60_000 };
  const undeliveredAfterMs = options.undeliveredAfterMs ?? 5 * 60_000;
  const stormThreshold = options.stormThreshold ?? 3;
  const pollMs = options.pollMs ?? 2000;
  const maxAttempts = options.maxAttempts ?? 5;
  // A send may take the channel's whole timeout after its claim was renewed: the lease outlasts it.
  const claimant: Claimant = { host: options.host ?? '', token: randomUUID(), leaseMs: options.claimMs ?? 30_000 };
  // Telegram has these; sending them again because the store refused the record would duplicate them.
  const unrecorded = new Map<number, Unrecorded>();
  let resent = 0;
  const stopController = new AbortController();
  const sendController = new AbortController();
  // every chat's worker waits on these signals at once; that is not a leak
  setMaxListeners(0, stopController.signal, sendController.signal);
  const workers = new Map<string, Promise<void>>();
  const rewake = new Set<string>();
  const listeners = new Set<(settlement: Settlement) => void>();
  let started = false;
  let poller: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;

  const sleep = async (ms: number): Promise<boolean> => {
    try {
      await clock.sleep(ms, stopController.signal);
      return true;
    } catch {
      return false;
    }
  };

  const ensureWorker = (chatId: string): void => {
    if (stopController.signal.aborted) return;
    if (workers.has(chatId)) {
      rewake.add(chatId);
      return;
    }
    workers.set(chatId, drain(chatId));
  };

  const wake = (): void => {
    if (!started || stopController.signal.aborted) return;
    runInBackground(log, 'outbox wake', async () => {
      for (const chatId of await chatsWithPending(db, owner)) ensureWorker(chatId);
    });
  };

  /** Sends one chat's rows until none is pending; the worker removes itself in the same tick it finds none. */
  async function drain(chatId: string): Promise<void> {
    const signal = stopController.signal;
    let failures = 0;
    let seeded = false;
    while (!signal.aborted) {
      try {
        const flushed = await recordKept(chatId);
        let rows = await pending(chatId);
        // another instance of the fleet sends this chat now; the poll looks again
        if (rows === null) break;
        if (!seeded && rows.length > 0) {
          seeded = true;
          const since = clock.now() - 2 * 60_000;
          options
            .pacerFor(chatId)
            .seed(chatId, owner === null ? await othersSends(db, chatId, claimant.token, since) : []);
        }
        if (rows.length === 0) {
          if (!flushed) {
            await sleep(backoffMs(++failures, backoff));
            continue;
          }
          if (rewake.delete(chatId)) continue;
          workers.delete(chatId);
          return;
        }
        const wait = rows[0]!.nextAttemptAt - clock.now();
        if (wait > 0) {
          await sleep(wait);
          continue;
        }
        // Waiting for a slot lets more rows arrive; look again so they can join a group. A storm
        // hold is pointless once enough alerts wait to fill a message: then it leaves at once.
        const head = rows[0]!;
        const waiting = rows.findIndex((r) => r.kind !== head.kind);
        const pace = {
          groupable:
            head.kind !== 'message' && head.kind !== 'edit' && (waiting === -1 ? rows.length : waiting) < fullGroup,
        };
        if (await options.pacerFor(chatId).acquire(chatId, signal, pace)) {
          rows = await pending(chatId);
          if (rows === null) break;
          if (rows.length === 0) continue;
        }
        const unit = await compose(rows);
        if (unit) await deliver(chatId, unit);
        if (failures > 0) log.info({ chatId, failures }, 'outbox worker recovered');
        failures = 0;
      } catch (err) {
        if (signal.aborted) break;
        // a store outage fails every look: log its start, then back off quietly (the store watch reports it)
        if (failures++ === 0) log.error({ err, chatId }, 'outbox worker failed; retrying');
        await sleep(Math.min(backoffMs(failures, backoff), 10_000));
      }
    }
    rewake.delete(chatId);
    workers.delete(chatId);
  }

  const claimOptions = () => ({ now: clock.now(), limit: rowsPerLook, rowLocks: store.dialect === 'postgres' });

  /**
   * A chat's pending rows, claimed for this instance, less those Telegram already has (their record
   * waits in memory); null while another instance holds the chat. A command's own rows are its alone.
   */
  async function pending(chatId: string): Promise<OutboxRow[] | null> {
    let rows: OutboxRow[];
    if (owner === null) {
      let claim = await claimChat(db, chatId, claimant, claimOptions());
      // a head row locked this instant is being claimed or recorded: look again in a moment
      for (let tries = 0; claim.state === 'contended' && tries < 20; tries++) {
        if (!(await sleep(25))) return null;
        claim = await claimChat(db, chatId, claimant, claimOptions());
      }
      if (claim.state !== 'claimed') return null;
      if (claim.takenOver > 0)
        log.warn(
          { chatId, rows: claim.takenOver },
          'took over alerts another instance was sending when it died; sending them again, marked as such',
        );
      rows = claim.rows;
    } else rows = await pendingForChat(db, chatId, owner, rowsPerLook);
    return unrecorded.size === 0 ? rows : rows.filter((r) => !unrecorded.has(r.id));
  }

  /** Writes the kept deliveries of a chat; false while the store still refuses. */
  async function recordKept(chatId: string): Promise<boolean> {
    for (const kept of new Set([...unrecorded.values()].filter((u) => u.chatId === chatId))) {
      try {
        await markDelivered(db, kept.ids, kept.outcome);
      } catch (err) {
        log.debug({ err, chatId, outboxIds: kept.ids }, 'delivery record still failing');
        return false;
      }
      for (const id of kept.ids) unrecorded.delete(id);
      log.info({ chatId, outboxIds: kept.ids, messageId: kept.outcome.messageId }, 'kept delivery recorded');
    }
    return true;
  }

  /**
   * Renders the next unit. A render that throws (a bad payload, data this version cannot read) counts
   * as an attempt of the head row; after `maxAttempts` the row is failed so the chat moves on.
   */
  async function compose(rows: OutboxRow[]): Promise<Unit | null> {
    try {
      return await composeNext(rows, {
        db,
        context: options.renderContext(clock.now()),
        stormThreshold,
        delivered: (row) => {
          const kept = unrecorded.get(row.id);
          return kept
            ? { ...row, state: kept.outcome.toLog ? 'logged' : 'sent', messageId: kept.outcome.messageId }
            : row;
        },
      });
    } catch (err) {
      const head = rows[0]!;
      const reason = `cannot be rendered: ${describeError(err)}`;
      const attempts = head.attempts + 1;
      const fields = { chatId: head.chatId, outboxId: head.id, kind: head.kind, attempts, reason };
      if (attempts >= maxAttempts) {
        await markFinished(db, [head.id], { state: 'failed', reason, at: clock.now() });
        log.error(fields, 'alert failed for good: it cannot be rendered');
        settle({ outcome: 'failed', chatId: head.chatId, rowIds: [head.id], messageId: null, reason, toLog: false });
      } else {
        const retryInMs = backoffMs(attempts, backoff);
        await markRetry(db, [head.id], { nextAttemptAt: clock.now() + retryInMs, error: reason, countAttempt: true });
        log.warn({ ...fields, retryInMs }, 'alert could not be rendered; will retry');
      }
      return null;
    }
  }

  async function deliver(chatId: string, unit: Unit): Promise<void> {
    const ids = unit.rows.map((r) => r.id);
    const keys = unit.keys.length === 1 ? { key: unit.keys[0] } : unit.keys.length > 1 ? { keys: unit.keys } : {};
    if (unit.kind === 'skip') {
      await markFinished(db, ids, { state: 'skipped', reason: unit.reason, at: clock.now() });
      log.info({ ...keys, chatId, outboxIds: ids, reason: unit.reason }, 'alert skipped');
      settle({ outcome: 'skipped', chatId, rowIds: ids, messageId: null, reason: unit.reason, toLog: false });
      return;
    }
    const channel = options.channelFor(chatId);
    const to = { chatId, thread: unit.rows[0]!.thread };
    try {
      const now = clock.now();
      const claim = owner === null ? { token: claimant.token, until: now + claimant.leaseMs } : undefined;
      if ((await markSending(db, ids, now, claim)) < ids.length) {
        // the claim ran out (this process stalled) and another instance sends these rows now
        log.warn({ chatId, outboxIds: ids }, 'alert claim lost to another instance; leaving the send to it');
        return;
      }
    } catch (err) {
      // at-least-once: a store that cannot take the mark must not hold the alert back
      log.warn({ err, chatId, outboxIds: ids }, 'could not mark the alert as sending; sending anyway');
    }
    options.pacerFor(chatId).departed(chatId, clock.now());
    const delivery: Delivery =
      unit.kind === 'edit'
        ? await channel.edit(unit.messageId, unit.message, to, sendController.signal)
        : await channel.send(unit.message, to, sendController.signal);
    // Cancelled by stop(): the rows stay pending and the next start sends them.
    if (sendController.signal.aborted && !delivery.ok) return;
    const now = clock.now();
    const oldest = Math.min(...unit.rows.map((r) => r.createdAt));
    const fields = { ...keys, chatId, outboxIds: ids, kind: unit.rows[0]!.kind };

    if (delivery.ok) {
      const groupId = unit.kind === 'send' ? unit.groupId : null;
      const outcome = { messageId: delivery.messageId, at: now, toLog: delivery.toLog === true, groupId };
      try {
        await markDelivered(db, ids, outcome);
      } catch (err) {
        const kept = { chatId, ids, outcome };
        for (const id of ids) unrecorded.set(id, kept);
        log.error(
          { ...fields, err, messageId: delivery.messageId },
          'alert delivered but the store refused the record; keeping its message_id and retrying the write',
        );
      }
      const again = unit.rows.filter((r) => r.resent).length;
      if (again > 0 && unit.kind === 'send') resent += again;
      log.info(
        {
          ...fields,
          messageId: delivery.messageId,
          latencyMs: now - oldest,
          grouped: ids.length > 1 ? ids.length : undefined,
        },
        delivery.toLog ? 'alert delivered to log' : unit.kind === 'edit' ? 'alert edited' : 'alert delivered',
      );
      settle({
        outcome: 'delivered',
        chatId,
        rowIds: ids,
        messageId: delivery.messageId,
        reason: null,
        toLog: delivery.toLog === true,
      });
      await notify(() => options.onDelivered?.(chatId), chatId);
      return;
    }
    if (delivery.kind === 'format' && !unit.rows.some((r) => r.plain)) {
      await markRetry(db, ids, { nextAttemptAt: now, error: delivery.reason, plain: true, countAttempt: true });
      log.warn({ ...fields, reason: delivery.reason }, 'alert refused as HTML; resending as plain text');
      return;
    }
    if (delivery.permanent) {
      const state = unit.kind === 'edit' && delivery.kind === 'gone' ? 'skipped' : 'failed';
      await markFinished(db, ids, { state, reason: delivery.reason, at: now });
      log[state === 'failed' ? 'error' : 'info'](
        { ...fields, reason: delivery.reason },
        state === 'failed' ? 'alert delivery failed' : 'alert edit skipped',
      );
      settle({ outcome: state, chatId, rowIds: ids, messageId: null, reason: delivery.reason, toLog: false });
      if (delivery.kind === 'recipient')
        await notify(() => options.onRecipientFailed?.(chatId, delivery.reason), chatId);
      return;
    }
    const attempts = Math.max(...unit.rows.map((r) => r.attempts)) + 1;
    const retryInMs = delivery.retryAfterMs ?? backoffMs(attempts, backoff);
    await markRetry(db, ids, { nextAttemptAt: now + retryInMs, error: delivery.reason, countAttempt: true });
    const ageMs = now - oldest;
    if (ageMs > undeliveredAfterMs) {
      log.error({ ...fields, attempts, retryInMs, ageMs, reason: delivery.reason }, 'alert still undelivered');
    } else {
      log.warn({ ...fields, attempts, retryInMs, reason: delivery.reason }, 'alert delivery failed; will retry');
    }
  }

  async function notify(callback: () => Promise<void> | undefined, chatId: string): Promise<void> {
    try {
      await callback();
    } catch (err) {
      log.error({ err, chatId }, 'alert delivery callback failed');
    }
  }

  function settle(settlement: Settlement): void {
    for (const listener of listeners) {
      try {
        listener(settlement);
      } catch (err) {
        log.error({ err: describeError(err) }, 'settlement listener failed');
      }
    }
  }

  async function poll(): Promise<void> {
    let failures = 0;
    while (await sleep(pollMs)) {
      try {
        if (owner === null) {
          const abandoned = await abandonForeignRows(db, clock.now() - 5 * 60_000, clock.now());
          if (abandoned > 0) log.warn({ rows: abandoned }, 'abandoned alert rows of exited commands');
        }
        // kept deliveries wait in their chat's worker until the store takes them
        const chats = new Set([
          ...(await chatsWithPending(db, owner)),
          ...[...unrecorded.values()].map((u) => u.chatId),
        ]);
        for (const chatId of chats) ensureWorker(chatId);
        if (failures > 0) log.info({ failures }, 'outbox poll recovered');
        failures = 0;
      } catch (err) {
        // one line per outage, not one per poll: the store watch reports the outage itself
        if (failures++ === 0) log.error({ err }, 'outbox poll failed');
      }
    }
  }

  return {
    name: 'alert-dispatcher',
    wake,
    resentTotal: () => resent,
    onSettled(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async start() {
      if (started) return;
      started = true;
      if (owner === null) {
        try {
          const interrupted = await flagInterruptedSends(db, claimant.host);
          if (interrupted > 0)
            log.warn(
              { rows: interrupted },
              'alerts were being sent when warden stopped; sending them again, marked as such',
            );
        } catch (err) {
          log.error({ err }, 'could not look for alerts cut off by the last stop');
        }
      }
      wake();
      poller = poll();
      runInBackground(log, 'outbox poll', () => poller!);
    },
    stop: () =>
      (stopping ??= (async () => {
        stopController.abort(new Error('alert dispatcher stopped'));
        const grace = setTimeout(
          () => sendController.abort(new Error('alert dispatcher stopped')),
          options.stopGraceMs ?? 3000,
        );
        await Promise.allSettled([...workers.values(), poller]);
        clearTimeout(grace);
        if (owner === null)
          await releaseClaims(db, claimant.token).catch((err: unknown) =>
            log.warn({ err }, 'could not give up alert claims; other instances take them over after their lease'),
          );
      })()),
  };
}
