import { Api, InputFile, TelegramApiError, type Update } from 'node-telegram-bot-api';
import type { Button } from '../alerts/channels/types.ts';
import { describeError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { createScrubber } from '../lib/redact.ts';

/** Where a reply goes: the chat and, in a forum group, the thread the command came from. */
export interface Place {
  chatId: number | string;
  thread?: number | undefined;
}

/**
 * What the bot says and hears through the Bot API. Every call but `getUpdates` logs its own
 * failure and returns null/false, so a lost reply never stops the poller.
 * @example const id = await telegram.reply({ chatId: 42 }, '✅ No open incidents.')
 */
export interface BotTelegram {
  getMe(signal: AbortSignal): Promise<{ username: string }>;
  /** Long-polls; throws the library's errors for the poller to classify. */
  getUpdates(offset: number | undefined, timeoutSec: number, signal: AbortSignal): Promise<Update[]>;
  setCommands(commands: Array<{ command: string; description: string }>, languageCode?: string): Promise<boolean>;
  reply(
    to: Place,
    html: string,
    options?: { buttons?: Button[][]; silent?: boolean; replyTo?: number },
  ): Promise<number | null>;
  edit(chatId: number | string, messageId: number, html: string, buttons?: Button[][]): Promise<boolean>;
  answer(callbackId: string, text: string, alert?: boolean): Promise<boolean>;
  photo(to: Place, png: Uint8Array, caption: string, silent: boolean): Promise<boolean>;
}

export interface BotTelegramOptions {
  token: string;
  apiRoot: string;
  log: Logger;
  /** A long poll waits this many seconds at Telegram; a request may take that plus this margin. */
  pollTimeoutSec: number;
}

/** The `Api` object stays in this closure: its inspect output holds the token. */
export function createBotTelegram(options: BotTelegramOptions): BotTelegram {
  const { log } = options;
  const api = new Api(options.token, {
    apiRoot: options.apiRoot,
    // the poller backs off itself; a resent command reply would arrive twice
    maxRetries: 0,
    timeoutMs: (options.pollTimeoutSec + 15) * 1000,
  });
  const scrub = createScrubber([options.token]);
  const failed = (method: string, err: unknown, fields: Record<string, unknown> = {}): void => {
    log.warn({ ...fields, method, reason: scrub(describe(err)) }, 'telegram call failed');
  };
  const markup = (buttons?: Button[][]) =>
    buttons && buttons.length > 0
      ? {
          reply_markup: {
            inline_keyboard: buttons.map((row) =>
              row.map((b) =>
                'url' in b ? { text: b.text, url: b.url } : { text: b.text, callback_data: b.callbackData },
              ),
            ),
          },
        }
      : {};

  return {
    getMe: async (signal) => {
      const me = await api.getMe(signal);
      return { username: me.username ?? '' };
    },
    getUpdates: (offset, timeoutSec, signal) =>
      api.getUpdates(
        {
          ...(offset !== undefined ? { offset } : {}),
          timeout: timeoutSec,
          allowed_updates: ['message', 'callback_query'],
        },
        signal,
      ),
    setCommands: async (commands, languageCode) => {
      try {
        await api.setMyCommands({ commands, ...(languageCode ? { language_code: languageCode } : {}) });
        return true;
      } catch (err) {
        failed('setMyCommands', err);
        return false;
      }
    },
    reply: async (to, html, opts = {}) => {
      try {
        const sent = await api.sendMessage({
          chat_id: to.chatId,
          ...(to.thread !== undefined ? { message_thread_id: to.thread } : {}),
          text: html,
          parse_mode: 'HTML',
          link_preview_options: { is_disabled: true },
          ...(opts.silent ? { disable_notification: true } : {}),
          ...(opts.replyTo !== undefined
            ? { reply_parameters: { message_id: opts.replyTo, allow_sending_without_reply: true } }
            : {}),
          ...markup(opts.buttons),
        });
        return sent.message_id;
      } catch (err) {
        failed('sendMessage', err, { chatId: String(to.chatId) });
        return null;
      }
    },
    edit: async (chatId, messageId, html, buttons) => {
      try {
        await api.editMessageText({
          chat_id: chatId,
          message_id: messageId,
          text: html,
          parse_mode: 'HTML',
          link_preview_options: { is_disabled: true },
          ...markup(buttons),
        });
        return true;
      } catch (err) {
        if (err instanceof TelegramApiError && /message is not modified/i.test(err.description)) return true;
        failed('editMessageText', err, { chatId: String(chatId), messageId });
        return false;
      }
    },
    answer: async (callbackId, text, alert = false) => {
      try {
        await api.answerCallbackQuery({ callback_query_id: callbackId, text, ...(alert ? { show_alert: true } : {}) });
        return true;
      } catch (err) {
        failed('answerCallbackQuery', err);
        return false;
      }
    },
    photo: async (to, png, caption, silent) => {
      try {
        await api.sendPhoto({
          chat_id: to.chatId,
          ...(to.thread !== undefined ? { message_thread_id: to.thread } : {}),
          photo: new InputFile(png, { filename: 'digest.png', contentType: 'image/png' }),
          caption,
          ...(silent ? { disable_notification: true } : {}),
        });
        return true;
      } catch (err) {
        failed('sendPhoto', err, { chatId: String(to.chatId) });
        return false;
      }
    },
  };
}

function describe(err: unknown): string {
  if (err instanceof TelegramApiError) return `${err.errorCode} ${err.description}`;
  return describeError(err);
}
