import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { Part } from '../lib/part.ts';
import { runInBackground } from '../lib/run-in-background.ts';
import type { StoreHealth } from '../store/health.ts';
import type { Channel, Recipient } from './channels/types.ts';
import { formatDuration } from '../config/units.ts';
import { clean, clip, escapeHtml } from './render/html.ts';

export interface LastResortOptions {
  health: StoreHealth;
  location: string;
  host: string;
  /** Every configured chat, whatever its minSeverity: nothing else can reach the operators now. */
  chats: Recipient[];
  channelFor(chatId: string): Channel;
  clock: Clock;
  log: Logger;
  /** At most one outage message per this long, however often the store flaps [15m]. */
  minIntervalMs?: number;
  /** Tries per chat before giving up on a message [3], `retryMs` apart [5s]. */
  tries?: number;
  retryMs?: number;
  /** Problems sent by `alert` per outage, beyond which they are only logged [20]. */
  maxAlerts?: number;
}

/**
 * The outage message as a daemon part, plus the path for this host's own problems while the store
 * cannot record them.
 * @example const lastResort = createLastResort({ … }); lastResort.alert('service-down:api', 'connection refused')
 */
export interface LastResort extends Part {
  /** While the store fails: one message per key per outage, straight through the channel. */
  alert(key: string, detail: string): void;
}

/**
 * When warden cannot write its own store, the outbox cannot carry alerts: this sends one message
 * per outage straight through the channel, not durable and not retried past a few tries, and a
 * second one when the store takes writes again.
 */
export function createLastResort(options: LastResortOptions): LastResort {
  const { clock, log } = options;
  const host = clip(clean(options.host), 64);
  const minIntervalMs = options.minIntervalMs ?? 15 * 60_000;
  const tries = options.tries ?? 3;
  const retryMs = options.retryMs ?? 5000;
  const controller = new AbortController();
  const inFlight = new Set<Promise<void>>();
  let lastSentAt: number | null = null;
  let announced = false;
  const maxAlerts = options.maxAlerts ?? 20;
  // keys already sent in this outage: a check failing every few seconds is one message
  const alerted = new Set<string>();
  let unsubscribe: (() => void) | undefined;
  let stopping: Promise<void> | undefined;

  const broadcast = (what: string, text: string, silent: boolean): void => {
    const html = escapeHtml(text).replace(/^(.*?):/, '<b>$1</b>:');
    const work = (async () => {
      for (const chat of options.chats) await sendOne(what, chat, { html, text, silent });
    })();
    inFlight.add(work);
    runInBackground(log, `last-resort ${what}`, () => work.finally(() => inFlight.delete(work)));
  };

  const sendOne = async (
    what: string,
    to: Recipient,
    message: { html: string; text: string; silent: boolean },
  ): Promise<void> => {
    const channel = options.channelFor(to.chatId);
    for (let attempt = 1; attempt <= tries && !controller.signal.aborted; attempt++) {
      const delivery = await channel.send(
        { ...message, buttons: [], format: 'html', replyTo: null },
        to,
        controller.signal,
      );
      if (delivery.ok) {
        log.info({ chatId: to.chatId, messageId: delivery.messageId, what }, 'last-resort message sent');
        return;
      }
      log.error({ chatId: to.chatId, what, attempt, reason: delivery.reason }, 'last-resort message not sent');
      if (delivery.permanent) return;
      try {
        await clock.sleep(delivery.retryAfterMs ?? retryMs, controller.signal);
      } catch {
        return;
      }
    }
  };

  return {
    name: 'store-last-resort',
    alert: (key, detail) => {
      if (!options.health.failing() || alerted.has(key) || controller.signal.aborted) return;
      if (alerted.size >= maxAlerts) {
        log.warn({ key, maxAlerts }, 'last-resort alert not sent: too many in this outage');
        return;
      }
      alerted.add(key);
      broadcast(
        `alert ${key}`,
        `warden on ${host}: ${clip(clean(key), 200)} — ${clip(clean(detail), 500)}. This alert could not be recorded: the store at ${options.location} is unreachable.`,
        false,
      );
    },
    start: () => {
      unsubscribe = options.health.onChange((change) => {
        const since = new Date(change.outage.since).toISOString();
        if (change.failing) {
          log.error(
            { store: options.location, reason: change.outage.reason, since, failures: change.outage.failures },
            'store failing: alerts cannot be recorded; sending the last-resort message',
          );
          const now = clock.now();
          if (lastSentAt !== null && now - lastSentAt < minIntervalMs) {
            announced = false;
            log.warn({ store: options.location }, 'last-resort message held back: one went out recently');
            return;
          }
          lastSentAt = now;
          announced = true;
          broadcast(
            'outage',
            `warden cannot write its store at ${options.location}: ${change.outage.reason} (host ${host}, since ${since}). Alerts wait until it is fixed; see docs/operations.md.`,
            false,
          );
          return;
        }
        alerted.clear();
        const lasted = formatDuration(change.at - change.outage.since);
        log.info({ store: options.location, since, lastedMs: change.at - change.outage.since }, 'store writable again');
        if (!announced) return;
        announced = false;
        broadcast(
          'recovery',
          `warden can write its store at ${options.location} again (host ${host}, after ${lasted}). Alerts resume through the outbox.`,
          true,
        );
      });
      return Promise.resolve();
    },
    stop: () =>
      (stopping ??= (async () => {
        unsubscribe?.();
        controller.abort(new Error('last-resort sender stopped'));
        await Promise.allSettled([...inFlight]);
      })()),
  };
}
