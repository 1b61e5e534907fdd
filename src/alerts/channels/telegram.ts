import {
  Api,
  NetworkError,
  ParseError,
  TelegramApiError,
  TimeoutError,
  type InlineKeyboardMarkup,
} from 'node-telegram-bot-api';
import { describeError } from '../../lib/errors.ts';
import { createScrubber } from '../../lib/redact.ts';
import type { Button, Channel, Delivery, Outgoing, Recipient } from './types.ts';

export interface TelegramChannelOptions {
  token: string;
  apiRoot: string;
  /** One request's limit; the library's default is 5 minutes. */
  timeoutMs?: number;
}

/**
 * Telegram over node-telegram-bot-api's `Api`. The library's own retries are off: a timed-out
 * sendMessage it resends may already have arrived, and only the dispatcher knows what was sent.
 * The `Api` object stays in this closure because its inspect output holds the token.
 */
export function createTelegramChannel(options: TelegramChannelOptions): Channel {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const api = new Api(options.token, { apiRoot: options.apiRoot, maxRetries: 0, timeoutMs });
  const scrub = createScrubber([options.token]);
  const fail = (err: unknown, to: Recipient, signal: AbortSignal): Delivery => {
    const delivery = classify(err, to, timeoutMs, signal);
    return delivery.ok ? delivery : { ...delivery, reason: scrub(delivery.reason) };
  };

  return {
    name: 'telegram',
    async send(message, to, signal) {
      try {
        const sent = await api.sendMessage(
          {
            chat_id: to.chatId,
            ...(to.thread !== null ? { message_thread_id: to.thread } : {}),
            ...body(message),
            ...(message.silent ? { disable_notification: true } : {}),
            ...(message.replyTo !== null
              ? { reply_parameters: { message_id: Number(message.replyTo), allow_sending_without_reply: true } }
              : {}),
          },
          signal,
        );
        return { ok: true, messageId: String(sent.message_id) };
      } catch (err) {
        return fail(err, to, signal);
      }
    },
    async edit(messageId, message, to, signal) {
      try {
        await api.editMessageText({ chat_id: to.chatId, message_id: Number(messageId), ...body(message) }, signal);
        return { ok: true, messageId };
      } catch (err) {
        // Telegram refuses an edit to the text the message already shows; that edit has its effect.
        if (err instanceof TelegramApiError && /message is not modified/i.test(err.description)) {
          return { ok: true, messageId };
        }
        return fail(err, to, signal);
      }
    },
  };
}

function body(message: Outgoing) {
  return {
    text: message.format === 'html' ? message.html : message.text,
    ...(message.format === 'html' ? { parse_mode: 'HTML' } : {}),
    link_preview_options: { is_disabled: true },
    ...(message.buttons.length > 0 ? { reply_markup: keyboard(message.buttons) } : {}),
  };
}

function keyboard(buttons: Button[][]): InlineKeyboardMarkup {
  return {
    inline_keyboard: buttons.map((row) =>
      row.map((b) => ('url' in b ? { text: b.text, url: b.url } : { text: b.text, callback_data: b.callbackData })),
    ),
  };
}

/** Every way a Bot API call can fail, as the dispatcher needs to know it. */
function classify(err: unknown, to: Recipient, timeoutMs: number, signal: AbortSignal): Delivery {
  const chat = `chat ${to.chatId}`;
  if (signal.aborted)
    return { ok: false, permanent: false, kind: 'unreachable', reason: 'send cancelled: warden is stopping' };
  if (err instanceof TelegramApiError) {
    const description = err.description.replace(/^(Bad Request|Forbidden|Unauthorized): /, '');
    if (err.errorCode === 429) {
      const seconds = err.retryAfter ?? 1;
      return {
        ok: false,
        permanent: false,
        kind: 'rate-limited',
        retryAfterMs: seconds * 1000,
        reason: `rate limited by Telegram: retry after ${seconds}s`,
      };
    }
    if (err.errorCode >= 500)
      return {
        ok: false,
        permanent: false,
        kind: 'unreachable',
        reason: `Telegram answered ${err.errorCode}: ${description}`,
      };
    if (err.errorCode === 401 || err.errorCode === 404) {
      return {
        ok: false,
        permanent: false,
        kind: 'unauthorized',
        reason: `Telegram rejected the bot token (${err.errorCode} ${description}): check TELEGRAM_BOT_TOKEN`,
      };
    }
    if (err.migrateToChatId !== undefined) {
      return {
        ok: false,
        permanent: true,
        kind: 'recipient',
        reason: `${chat} was upgraded to a supergroup: use id ${err.migrateToChatId} in telegram.chats`,
      };
    }
    if (/can't parse entities|message is too long/i.test(description)) {
      return {
        ok: false,
        permanent: true,
        kind: 'format',
        reason: `Telegram refused the message format: ${description}`,
      };
    }
    if (/chat not found/i.test(description)) {
      return {
        ok: false,
        permanent: true,
        kind: 'recipient',
        reason: `${chat} not found: add the bot to the group or correct the id in telegram.chats`,
      };
    }
    if (/thread not found/i.test(description)) {
      return {
        ok: false,
        permanent: true,
        kind: 'recipient',
        reason: `${chat}: thread ${to.thread ?? '?'} not found: correct telegram.chats[].thread`,
      };
    }
    if (err.errorCode === 403) {
      return {
        ok: false,
        permanent: true,
        kind: 'recipient',
        reason: `${chat}: ${description}: add or unblock the bot, or remove the chat from telegram.chats`,
      };
    }
    if (/message to edit not found|message can't be edited/i.test(description)) {
      return { ok: false, permanent: true, kind: 'gone', reason: `${chat}: ${description}` };
    }
    return {
      ok: false,
      permanent: true,
      kind: 'rejected',
      reason: `${chat}: Telegram refused the message (${err.errorCode} ${description})`,
    };
  }
  if (err instanceof TimeoutError) {
    return {
      ok: false,
      permanent: false,
      kind: 'unreachable',
      reason: `Telegram did not answer within ${timeoutMs}ms`,
    };
  }
  if (err instanceof NetworkError) {
    return { ok: false, permanent: false, kind: 'unreachable', reason: `Telegram unreachable (${rootCause(err)})` };
  }
  if (err instanceof ParseError) {
    return {
      ok: false,
      permanent: false,
      kind: 'unreachable',
      reason: 'Telegram answered with something that is not JSON',
    };
  }
  return {
    ok: false,
    permanent: false,
    kind: 'unreachable',
    reason: `Telegram request failed (${describeError(err)})`,
  };
}

/** `Network request failed: sendMessage` ← `fetch failed` ← `connect ECONNREFUSED 127.0.0.1:9` → the last. */
function rootCause(err: Error): string {
  let current: unknown = err;
  const seen = new Set<unknown>();
  while (current instanceof Error && current.cause !== undefined && !seen.has(current.cause)) {
    seen.add(current);
    current = current.cause;
  }
  return current === err ? err.message : `${err.message}: ${describeError(current)}`;
}
