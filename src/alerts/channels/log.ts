import type { Logger } from '../../lib/logger.ts';
import type { Channel } from './types.ts';

/**
 * Dry-run delivery (no bot token): the rendered text goes to the log and counts as delivered-to-log,
 * so the outbox drains and `warden status` can say where alerts went.
 */
export function createLogChannel(log: Logger): Channel {
  let next = 1;
  return {
    name: 'log',
    send(message, to) {
      const messageId = `log-${next++}`;
      log.info(
        { chatId: to.chatId, thread: to.thread, messageId, silent: message.silent, text: message.text },
        'alert written to log (dry-run)',
      );
      return Promise.resolve({ ok: true, messageId, toLog: true });
    },
    edit(messageId, message, to) {
      log.info({ chatId: to.chatId, messageId, text: message.text }, 'alert edit written to log (dry-run)');
      return Promise.resolve({ ok: true, messageId, toLog: true });
    },
  };
}
