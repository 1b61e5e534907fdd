import type { Update } from 'node-telegram-bot-api';
import type { Registry } from 'prom-client';
import { createRestartDrivers } from '../actions/restart/index.ts';
import { createBackupService } from '../backups/backup-service.ts';
import type { Pm2Restarter } from '../actions/restart/pm2.ts';
import { botAnswersButtons } from '../alerts/render-context.ts';
import type { Pm2Reader } from '../pm2/types.ts';
import type { Config } from '../config/schema.ts';
import { createHeartbeat } from '../heartbeat/heartbeat.ts';
import type { IncidentTracker } from '../incidents/tracker.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { Part } from '../lib/part.ts';
import type { CronSlots } from '../scheduler/cron.ts';
import { createScrubber } from '../lib/redact.ts';
import type { Store } from '../store/db.ts';
import { createAccess } from './admins.ts';
import { createCallbacks } from './callbacks.ts';
import { createCommands } from './commands.ts';
import { createDigest } from './digest.ts';
import { createPoller } from './poller.ts';
import { createRemoteRestart } from './remote-restart.ts';
import { createManualRestart } from './restart.ts';
import { createBotTelegram } from './telegram.ts';

export interface BotOptions {
  config: Config;
  store: Store;
  clock: Clock;
  log: Logger;
  incidents: IncidentTracker;
  /** The daemon's pm2 connection; null when no service is pm2-managed. */
  pm2: (Pm2Reader & Pm2Restarter) | null;
  metrics: Registry;
  /** The environment backups run with (PATH for pg_dump) [process.env]. */
  env?: NodeJS.ProcessEnv;
  /** Values masked in what the bot shows from logs (`LoadedConfig.secrets`). */
  secrets?: readonly string[];
  /** The daemon's own health (as /healthz answers), for the heartbeat. */
  isHealthy(): boolean;
  /** Starts delivery of outbox rows queued by the digest. */
  wakeAlerts(): void;
  /** For tests: a short long-poll and a fast backoff. */
  tuning?: {
    pollTimeoutSec?: number;
    backoff?: { initialMs: number; maxMs: number };
    heartbeatIntervalMs?: number;
    /** How long a restart asked of another host waits to be taken, and for its result. */
    remoteRestartWaitMs?: number;
  };
}

/**
 * Operating from the phone: the command and button poller (with a token and `telegram.admins`) and
 * the daily digest are leader work (one poller per bot token; one digest per fleet), built afresh
 * each time this instance becomes leader; the heartbeat (with `heartbeat.url`) runs on every instance.
 */
export function createBot(options: BotOptions): { parts: Part[]; leaderWork(slots?: CronSlots): Part[] } {
  const { config, clock } = options;
  const log = options.log.child({ part: 'bot' });
  const parts: Part[] = [];
  if (config.heartbeat.url)
    parts.push(
      createHeartbeat({
        url: config.heartbeat.url,
        isHealthy: options.isHealthy,
        clock,
        log,
        metrics: options.metrics,
        intervalMs: options.tuning?.heartbeatIntervalMs,
      }),
    );
  return { parts, leaderWork: (slots) => leaderParts(options, log, slots) };
}

/** `slots`: the digest's record in the store, so a fleet sends one per schedule. */
function leaderParts(options: BotOptions, log: Logger, slots: CronSlots | undefined): Part[] {
  const { config, store, clock, incidents } = options;
  const token = config.telegram.token;
  const pollTimeoutSec = options.tuning?.pollTimeoutSec ?? 25;
  const telegram = token ? createBotTelegram({ token, apiRoot: config.telegram.apiRoot, log, pollTimeoutSec }) : null;
  const parts: Part[] = [];
  if (token && telegram && botAnswersButtons(config)) {
    const access = createAccess(config, clock, log);
    const restart = createManualRestart({
      drivers: createRestartDrivers({ pm2: options.pm2 }),
      ...{ incidents, store, log, host: config.host, services: config.services },
    });
    // only a PostgreSQL store has other hosts; the leader reaches them through it
    const remote =
      store.dialect === 'postgres'
        ? createRemoteRestart({
            ...{ store, clock, log, host: config.host },
            liveWithinMs: config.fleet.heartbeatMs * config.fleet.missed,
            waitMs: options.tuning?.remoteRestartWaitMs,
          })
        : null;
    const shared = { config, store, clock, log, incidents, telegram, access, restart, remote };
    const backups =
      Object.keys(config.backups.targets).length > 0
        ? createBackupService({ config, store, incidents, clock, log: options.log, env: options.env })
        : null;
    const commands = createCommands({
      ...shared,
      pm2: options.pm2,
      scrub: createScrubber([token, ...(options.secrets ?? [])]),
      backups,
    });
    const callbacks = createCallbacks(shared);
    // listed before the poller, so it stops after it: the poller's stop cancels, this waits
    parts.push({
      name: 'bot-commands',
      start: () => Promise.resolve(),
      stop: async () => {
        await commands.drain();
        await callbacks.drain();
      },
    });
    parts.push(
      createPoller({
        telegram,
        store,
        clock,
        log,
        pollTimeoutSec,
        backoff: options.tuning?.backoff,
        onReady: async (username) => {
          commands.setUsername(username);
          await telegram.setCommands(commands.list());
        },
        handle: async (update: Update, signal) => {
          if ('message' in update) await commands.handle(update.message, signal);
          else if ('callback_query' in update) await callbacks.handle(update.callback_query, signal);
        },
      }),
    );
  } else if (telegram) {
    log.info('bot commands off: no telegram.admins configured');
  }
  parts.push(createDigest({ config, store, clock, log, telegram, wakeAlerts: options.wakeAlerts, slots }));
  return parts;
}
