import type { Config } from '../config/schema.ts';
import type { IncidentTracker } from '../incidents/tracker.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { Part } from '../lib/part.ts';
import type { Store } from '../store/db.ts';
import { listUnresolvedIncidents } from '../store/incidents.ts';
import { reserveSharedSlot } from '../store/outbox.ts';
import { createLogChannel } from './channels/log.ts';
import { createTelegramChannel } from './channels/telegram.ts';
import type { Channel } from './channels/types.ts';
import { createDispatcher, type Dispatcher, type DispatcherOptions } from './dispatcher.ts';
import { logChat } from './outbox.ts';
import { createPacer, telegramPace, unpaced, type PaceLimits } from './pacer.ts';
import { createReminders } from './reminders.ts';
import { renderContextFrom } from './render-context.ts';

/** The channel per chat: Telegram, or the log in dry-run (no token) and for the `log` pseudo-chat. */
export function channelsFor(config: Config, log: Logger, timeoutMs = 10_000): (chatId: string) => Channel {
  const logChannel = createLogChannel(log);
  const token = config.telegram.token;
  const telegram = token ? createTelegramChannel({ token, apiRoot: config.telegram.apiRoot, timeoutMs }) : null;
  return (chatId) => (telegram && chatId !== logChat.id ? telegram : logChannel);
}

export interface AlertsOptions {
  config: Config;
  store: Store;
  clock: Clock;
  log: Logger;
  incidents: IncidentTracker;
  /** Overrides for tests and benchmarks; production uses Telegram's limits and a 1s..60s backoff. */
  pace?: PaceLimits;
  /** Whether this instance leads the fleet (it alone reminds of fleet-wide incidents) [always]. */
  leads?: () => boolean;
  tuning?: Pick<DispatcherOptions, 'backoff' | 'pollMs' | 'stormThreshold' | 'undeliveredAfterMs' | 'claimMs'> & {
    telegramTimeoutMs?: number;
  };
}

/**
 * The alert side of the daemon: the dispatcher draining the outbox and the reminders, wired to the
 * tracker (new changes wake the dispatcher; a chat that refuses the bot opens `alert-delivery:<chat>`,
 * which resolves at that chat's next delivery).
 */
export function createAlerts(options: AlertsOptions): { dispatcher: Dispatcher; parts: Part[] } {
  const { config, store, clock, incidents } = options;
  const log = options.log.child({ part: 'alerts' });
  const channelFor = channelsFor(config, log, options.tuning?.telegramTimeoutMs);
  // a fleet's instances share the bot's overall limit through the store
  const shared =
    store.dialect === 'postgres'
      ? (from: number, gapMs: number) => reserveSharedSlot(store.db, 'telegram', from, gapMs)
      : undefined;
  const pacer = createPacer(options.pace ?? telegramPace, clock, shared);
  const failingChats = new Set<string>();

  const dispatcher = createDispatcher({
    store,
    clock,
    log,
    channelFor,
    pacerFor: (chatId) => (channelFor(chatId).name === 'telegram' ? pacer : unpaced),
    renderContext: (now) => renderContextFrom(config, now),
    host: config.host,
    ...options.tuning,
    onRecipientFailed: async (chatId, reason) => {
      failingChats.add(chatId);
      await incidents.report(`alert-delivery:${chatId}`, { detail: reason });
    },
    onDelivered: async (chatId) => {
      if (!failingChats.delete(chatId)) return;
      await incidents.resolve(`alert-delivery:${chatId}`, 'a message reached the chat again');
    },
  });
  const reminders = createReminders({
    store,
    incidents,
    clock,
    log,
    repeatMs: config.telegram.repeatMs,
    host: config.host,
    ...(options.leads && { leads: options.leads }),
    onQueued: () => dispatcher.wake(),
  });
  let unsubscribe: (() => void) | undefined;
  const wiring: Part = {
    name: 'alert-wiring',
    start: async () => {
      for (const incident of await listUnresolvedIncidents(store.db)) {
        if (incident.topic === 'alert-delivery') failingChats.add(incident.subject);
      }
      unsubscribe = incidents.subscribe(() => dispatcher.wake());
    },
    stop: () => {
      unsubscribe?.();
      return Promise.resolve();
    },
  };
  return { dispatcher, parts: [wiring, dispatcher, reminders] };
}
