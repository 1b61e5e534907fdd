import type { Config } from '../config/schema.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';

/**
 * Who may command the bot: a user in `telegram.admins`, writing in one of `telegram.chats`. Anyone
 * else is refused without data; the refusal is sent once per person and chat per hour, so a group
 * member trying commands does not make the bot chatty, and every attempt is logged.
 * @example if (!access.allows(from.id, chat.id)) { if (access.refuseNow(from.id, chat.id)) await reply(refusal) }
 */
export interface Access {
  allows(userId: number | undefined, chatId: number | string): boolean;
  /** Logs a refused attempt; true when the person should be told (the first time within the hour). */
  refused(attempt: {
    userId: number | undefined;
    username?: string | undefined;
    chatId: number | string;
    what: string;
  }): boolean;
}

const refusalQuietMs = 60 * 60_000;

export function createAccess(config: Config, clock: Clock, log: Logger): Access {
  const admins = new Set(config.telegram.admins);
  const chats = new Set(config.telegram.chats.map((c) => c.id));
  const lastRefusal = new Map<string, number>();
  return {
    allows: (userId, chatId) => userId !== undefined && admins.has(userId) && chats.has(String(chatId)),
    refused({ userId, username, chatId, what }) {
      const reason =
        userId === undefined || !admins.has(userId) ? 'not in telegram.admins' : 'chat not in telegram.chats';
      log.warn({ userId, username, chatId: String(chatId), what, reason }, 'bot command refused');
      const key = `${userId ?? '?'}@${chatId}`;
      const now = clock.now();
      const last = lastRefusal.get(key);
      if (last !== undefined && now - last < refusalQuietMs) return false;
      lastRefusal.set(key, now);
      return true;
    },
  };
}

/** How an admin appears in alerts and the log: `@alice`, else the first name and id. */
export function displayName(user: { id: number; username?: string | undefined; first_name?: string }): string {
  return user.username ? `@${user.username}` : `${user.first_name ?? 'user'} (${user.id})`;
}
