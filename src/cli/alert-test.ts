import { pino } from 'pino';
import { channelsFor } from '../alerts/create-alerts.ts';
import { createDispatcher, type Settlement } from '../alerts/dispatcher.ts';
import { createPacer, telegramPace } from '../alerts/pacer.ts';
import { renderContextFrom } from '../alerts/render-context.ts';
import { renderTestAlert } from '../alerts/render/test-alert.ts';
import { loadConfig } from '../config/load.ts';
import { formatDuration, parseDuration } from '../config/units.ts';
import { systemClock } from '../lib/clock.ts';
import { createScrubber } from '../lib/redact.ts';
import { openStore } from '../store/db.ts';
import { enqueueOutbox, getOutboxRows, markFinished } from '../store/outbox.ts';
import type { Command } from './command.ts';

/**
 * `warden alert test`: queues a test alert per chat in the outbox and delivers it through the same
 * dispatcher and channel as the daemon (rows owned by this process, so a running daemon leaves
 * them alone), then prints the message_id Telegram returned or why it was not delivered.
 */
export const alertTest = {
  usage: 'alert test [--chat ID] [--timeout 30s]',
  summary: 'send a test alert through the outbox to every chat (or one) and print the message_id Telegram returned',
  options: { chat: { type: 'string' }, timeout: { type: 'string' } },
  async run({ positionals, options, configPath, io }) {
    if (positionals.length !== 1 || positionals[0] !== 'test') {
      io.err(`warden alert: unknown subcommand "${positionals.join(' ')}"; usage: warden ${alertTest.usage}`);
      return 64;
    }
    const timeoutMs = typeof options.timeout === 'string' ? parseDuration(options.timeout) : 30_000;
    if (timeoutMs === undefined) {
      io.err(`warden alert test: --timeout must be a duration like 30s`);
      return 64;
    }
    const { config, secrets } = loadConfig(configPath, io.env);
    const scrub = createScrubber(secrets);
    if (!config.telegram.token) {
      io.err(
        'warden alert test: dry-run: TELEGRAM_BOT_TOKEN is not set, so alerts go to the log, not Telegram; set it and run again',
      );
      return 1;
    }
    const chats =
      typeof options.chat === 'string'
        ? [{ id: options.chat, thread: null }]
        : config.telegram.chats.map((c) => ({ id: c.id, thread: c.thread ?? null }));
    if (chats.length === 0) {
      io.err('warden alert test: no chats to test: add telegram.chats to the config or pass --chat ID');
      return 1;
    }

    const store = await openStore(config.store.url);
    try {
      const owner = `cli:${process.pid}`;
      const now = Date.now();
      const context = renderContextFrom(config, now);
      const ids = await enqueueOutbox(
        store.db,
        chats.map((chat) => ({
          chatId: chat.id,
          thread: chat.thread,
          kind: 'message' as const,
          owner,
          payload: JSON.stringify(renderTestAlert(chat.id, context)),
        })),
        now,
      );
      const log = pino({ level: 'silent' });
      const pacer = createPacer(telegramPace, systemClock);
      const dispatcher = createDispatcher({
        store,
        clock: systemClock,
        log,
        owner,
        channelFor: channelsFor(config, log),
        pacerFor: () => pacer,
        renderContext: (at) => renderContextFrom(config, at),
        backoff: { initialMs: 500, maxMs: 5000 },
        pollMs: 1000,
      });
      const settled = new Map<number, Settlement>();
      const allSettled = new Promise<void>((resolve) => {
        dispatcher.onSettled((s) => {
          for (const id of s.rowIds) settled.set(id, s);
          if (ids.every((id) => settled.has(id))) resolve();
        });
      });
      await dispatcher.start();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([allSettled, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
      await dispatcher.stop();

      const rows = await getOutboxRows(store.db, ids);
      let ok = true;
      for (const [i, id] of ids.entries()) {
        const chatId = chats[i]!.id;
        const settlement = settled.get(id);
        if (settlement?.outcome === 'delivered') {
          io.out(`✓ chat ${chatId}: delivered, message_id ${settlement.messageId}`);
          continue;
        }
        ok = false;
        let reason = settlement?.reason ?? rows.get(id)?.lastError ?? 'no answer from Telegram';
        if (!settlement) {
          reason = `not delivered within ${formatDuration(timeoutMs)} (${reason})`;
          await markFinished(store.db, [id], { state: 'abandoned', reason, at: Date.now() });
        }
        io.out(scrub(reason.startsWith(`chat ${chatId}`) ? `✗ ${reason}` : `✗ chat ${chatId}: ${reason}`));
      }
      return ok ? 0 : 1;
    } finally {
      await store.close();
    }
  },
} satisfies Command;
