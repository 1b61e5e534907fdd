import { NetworkError, TelegramApiError, TimeoutError, type Update } from 'node-telegram-bot-api';
import { backoffMs } from '../lib/backoff.ts';
import type { Clock } from '../lib/clock.ts';
import { describeError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { Part } from '../lib/part.ts';
import { runInBackground } from '../lib/run-in-background.ts';
import type { Store } from '../store/db.ts';
import { readBotState, writeBotState } from '../store/bot.ts';
import type { BotTelegram } from './telegram.ts';

export interface PollerOptions {
  telegram: BotTelegram;
  store: Store;
  clock: Clock;
  log: Logger;
  /** Called once the bot knows its own username (to ignore `/cmd@other_bot`), before the first poll. */
  onReady(username: string): Promise<void>;
  handle(update: Update, signal: AbortSignal): Promise<void>;
  pollTimeoutSec: number;
  backoff?: { initialMs: number; maxMs: number };
}

/** The next update to fetch, kept in the store so a restart neither repeats nor skips a command. */
export const offsetKey = 'telegram.offset';

/**
 * Long-polls getUpdates inside the daemon. The offset is stored before an update is handled: a
 * command interrupted by a crash is not run again (a restart must never happen twice), and an update
 * Telegram still holds when warden comes back is fetched from the stored offset. Errors back off
 * exponentially; a 409 (another poller or a webhook on this token) is said once, clearly.
 */
export function createPoller(options: PollerOptions): Part {
  const { telegram, store, clock, log } = options;
  const backoff = options.backoff ?? { initialMs: 1000, maxMs: 60_000 };
  const controller = new AbortController();
  let loop: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;
  let failures = 0;
  let conflictSaid = false;
  let lastFailure = '';

  const pause = async (ms: number): Promise<boolean> => {
    try {
      await clock.sleep(ms, controller.signal);
      return true;
    } catch {
      return false;
    }
  };

  /** Logs a failure once per kind in a row (a network outage is one line, not one per retry). */
  const failed = (err: unknown, what: string): number => {
    failures += 1;
    const retryAfter = err instanceof TelegramApiError ? err.retryAfter : undefined;
    const waitMs = retryAfter !== undefined ? retryAfter * 1000 : backoffMs(failures, backoff);
    if (err instanceof TelegramApiError && err.errorCode === 409) {
      if (!conflictSaid)
        log.error(
          { retryInMs: waitMs },
          'bot commands paused: another program polls this bot token, or a webhook is set (409 Conflict); stop the other warden or bot, or give this one its own token (deleteWebhook removes a webhook)',
        );
      conflictSaid = true;
      return waitMs;
    }
    const reason = describe(err);
    if (reason !== lastFailure)
      log.warn({ attempt: failures, retryInMs: waitMs, reason }, `${what} failed; will retry`);
    else log.debug({ attempt: failures, retryInMs: waitMs, reason }, `${what} failed again`);
    lastFailure = reason;
    return waitMs;
  };

  const recovered = (): void => {
    if (failures > 0 && (lastFailure !== '' || conflictSaid)) log.info({ after: failures }, 'bot polling resumed');
    failures = 0;
    lastFailure = '';
    conflictSaid = false;
  };

  const run = async (): Promise<void> => {
    const { signal } = controller;
    while (!signal.aborted) {
      try {
        const me = await telegram.getMe(signal);
        await options.onReady(me.username);
        break;
      } catch (err) {
        if (signal.aborted || !(await pause(failed(err, 'bot start (getMe)')))) return;
      }
    }
    let offset: number | undefined;
    while (!signal.aborted) {
      try {
        const stored = await readBotState(store, offsetKey);
        offset = stored === null ? undefined : Number(stored);
        break;
      } catch (err) {
        if (!(await pause(failed(err, 'reading the bot offset')))) return;
      }
    }
    log.info({ offset: offset ?? null }, 'bot polling');
    while (!signal.aborted) {
      let updates: Update[];
      try {
        updates = await telegram.getUpdates(offset, options.pollTimeoutSec, signal);
        recovered();
      } catch (err) {
        if (signal.aborted) return;
        if (!(await pause(failed(err, 'getUpdates')))) return;
        continue;
      }
      for (const update of updates) {
        if (signal.aborted) return;
        if (offset !== undefined && update.update_id < offset) continue;
        try {
          await writeBotState(store, offsetKey, String(update.update_id + 1), clock.now());
        } catch (err) {
          // not handled until its offset is stored: it could otherwise run again after a restart
          if (!(await pause(failed(err, 'storing the bot offset')))) return;
          break;
        }
        offset = update.update_id + 1;
        try {
          await options.handle(update, signal);
        } catch (err) {
          log.error({ err, updateId: update.update_id }, 'bot update failed');
        }
      }
    }
  };

  return {
    name: 'bot-poller',
    start: () => {
      loop ??= run();
      runInBackground(log, 'bot-poller', () => loop!);
      return Promise.resolve();
    },
    stop: () =>
      (stopping ??= (async () => {
        controller.abort(new Error('bot poller stopped'));
        await loop;
      })()),
  };
}

function describe(err: unknown): string {
  if (err instanceof TelegramApiError) {
    if (err.errorCode === 401 || err.errorCode === 404)
      return `Telegram rejected the bot token (${err.errorCode}): check TELEGRAM_BOT_TOKEN`;
    return `Telegram answered ${err.errorCode}: ${err.description}`;
  }
  if (err instanceof TimeoutError) return 'Telegram did not answer in time';
  if (err instanceof NetworkError) return 'Telegram unreachable';
  return describeError(err);
}
