import type { Config } from '../../config/schema.ts';
import { describeError } from '../../lib/errors.ts';
import type { ProbeResult } from './types.ts';

/** The token works (getMe) and the bot can reach every configured chat (getChat). */
export async function probeTelegram(config: Config): Promise<ProbeResult[]> {
  const { token, apiRoot, chats } = config.telegram;
  if (!token) {
    const variable = config.telegram.tokenVariable ?? 'telegram.token';
    return [{ name: 'telegram', ok: true, detail: `dry-run: ${variable} is not set, alerts go to the log` }];
  }
  const { Api } = await import('node-telegram-bot-api');
  const api = new Api(token, { apiRoot, maxRetries: 0, timeoutMs: 10_000 });
  try {
    const me = await api.getMe();
    const results: ProbeResult[] = [{ name: 'telegram', ok: true, detail: `bot @${me.username ?? me.id}` }];
    if (chats.length === 0) {
      results.push({
        name: 'telegram chats',
        ok: false,
        detail: 'no chats configured',
        fix: 'add telegram.chats: [{ id: … }]',
      });
    }
    for (const chat of chats) {
      try {
        const found = await api.getChat({ chat_id: chat.id });
        results.push({
          name: `telegram chat ${chat.id}`,
          ok: true,
          detail: found.title ?? found.username ?? found.type,
        });
      } catch (err) {
        results.push({
          name: `telegram chat ${chat.id}`,
          ok: false,
          detail: describeError(err),
          fix: 'add the bot to the chat, or correct the id',
        });
      }
    }
    return results;
  } catch (err) {
    return [
      {
        name: 'telegram',
        ok: false,
        detail: describeError(err),
        fix: 'check TELEGRAM_BOT_TOKEN (from @BotFather) and telegram.apiRoot',
      },
    ];
  }
}
