import os from 'node:os';
import type { Registry } from 'prom-client';
import { createRestartDrivers, createRestarts } from './actions/restart/index.ts';
import { alertModeFor } from './alerts/alert-mode.ts';
import { createBackups } from './backups/index.ts';
import { pruneBackups } from './backups/retention.ts';
import { createAlerts, type AlertsOptions } from './alerts/create-alerts.ts';
import { createBot, type BotOptions } from './bot/index.ts';
import { createManualRestart } from './bot/restart.ts';
import { alertChats, outboxWriter } from './alerts/outbox.ts';
import { createStoreWatch } from './alerts/store-watch.ts';
import type { Config } from './config/schema.ts';
import { createDiskAndLogs } from './disk/index.ts';
import { createFleet } from './fleet/index.ts';
import { createHttpServer } from './http/server.ts';
import { createMetricEvents, createMetrics } from './http/metrics.ts';
import { createSuppression } from './incidents/suppression.ts';
import { createTracker, type IncidentTracker } from './incidents/tracker.ts';
import type { Clock } from './lib/clock.ts';
import type { Logger } from './lib/logger.ts';
import { createScrubber } from './lib/redact.ts';
import { stopQuietly, type Part } from './lib/part.ts';
import { storeRetention } from './maintenance/store-retention.ts';
import { every } from './scheduler/every.ts';
import type { Store } from './store/db.ts';
import type { StoreLock } from './store/lock.ts';
import { recordRunStart, recordRunStop, recordRunTick, type Run } from './store/runs.ts';
import { parentIncidentKeys } from './supervision/dependencies.ts';
import { createSupervision, pm2ClientFor, type SupervisionTuning } from './supervision/index.ts';

export interface DaemonDeps {
  config: Config;
  store: Store;
  log: Logger;
  clock: Clock;
  version: string;
  /** How often the daemon loop ticks; /healthz fails after three missed ticks. */
  tickMs?: number;
  /** Alert pacing and retry tuning for tests; production uses Telegram's limits. */
  alerts?: Pick<AlertsOptions, 'pace' | 'tuning'>;
  /** Where PM2_HOME is read from [process.env]. */
  env?: NodeJS.ProcessEnv;
  /** Supervision timing for tests and benchmarks; production uses the defaults. */
  supervision?: SupervisionTuning;
  /** Values masked in everything that enters the store (`LoadedConfig.secrets`). */
  secrets?: readonly string[];
  /** Bot polling and heartbeat timing for tests; production uses the defaults. */
  bot?: BotOptions['tuning'];
  /** `warden run`'s lock on the store, taken before the store was opened. */
  storeLock?: StoreLock;
}

export type DaemonState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

export interface Daemon {
  start(): Promise<void>;
  /** Stops every started part in reverse order; idempotent. */
  stop(): Promise<void>;
  state(): DaemonState;
  httpAddress(): { host: string; port: number };
  metrics: Registry;
  /** The one owner of incident state; checks and watchers report to it. */
  incidents: IncidentTracker;
}

/** The composition root: builds every part from the config, starts them in order, stops them in reverse. */
export function createDaemon(deps: DaemonDeps): Daemon {
  const { config, store, clock } = deps;
  const log = deps.log.child({ part: 'daemon' });
  const tickMs = deps.tickMs ?? 5000;
  let state: DaemonState = 'idle';
  let lastTickAt = 0;
  let runId: number | undefined;

  const metrics = createMetrics({
    readLastTickMs: () => lastTickAt,
    store,
    clock,
    services: Object.keys(config.services),
    resentAlerts: () => alerts.dispatcher.resentTotal(),
    isLeader: () => fleet.leader.isLeader(),
    host: config.host,
  });
  const counted = createMetricEvents(metrics, Object.keys(config.services));
  const scrub = createScrubber(deps.secrets ?? []);
  const incidents = createTracker({
    store,
    clock,
    log: deps.log.child({ part: 'incidents' }),
    writers: [outboxWriter(alertChats(config))],
    scrub,
    host: config.host,
    suppression: createSuppression({ parentsOf: parentIncidentKeys(config.services) }),
  });
  const alerts = createAlerts({
    config,
    store,
    clock,
    log: deps.log,
    incidents,
    leads: () => fleet.leader.isLeader(),
    ...deps.alerts,
  });
  alerts.dispatcher.onSettled(({ outcome, toLog, rowIds }) => {
    if (outcome !== 'skipped') counted.alertsSettled(outcome, toLog ? 'log' : 'telegram', rowIds.length);
  });
  const pm2 = pm2ClientFor(config, { env: deps.env ?? process.env, log: deps.log, clock, tuning: deps.supervision });
  const restarts = createRestarts({ config, pm2, incidents, clock, log: deps.log, onRestart: counted.restarted });
  const storeWatch = createStoreWatch({
    config,
    store,
    clock,
    log: deps.log,
    lock: deps.storeLock,
    onRecovered: () => alerts.dispatcher.wake(),
  });
  const supervision = createSupervision({
    config,
    store,
    // this host's own services: while the store fails, their problems go out by the last-resort path
    incidents: storeWatch.guard(incidents),
    pm2,
    clock,
    log: deps.log,
    tuning: deps.supervision,
    scrub,
    onCheck: (service, latencyMs) => counted.checked(service.name, service.check.kind, latencyMs),
  });
  const hygiene = createDiskAndLogs({
    ...{ config, store, incidents, pm2, clock, log: deps.log, scrub },
    pruneBackups: () => pruneBackups({ store, backups: config.backups, timezone: config.timezone, log: deps.log }),
  });
  const loop = every({
    name: 'daemon-loop',
    intervalMs: tickMs,
    clock,
    log,
    // the tick counts only once the store took it: a loop that cannot write is not healthy
    run: async () => {
      const now = clock.now();
      const tick = (): Promise<void> => (runId === undefined ? Promise.resolve() : recordRunTick(store, runId, now));
      if (await storeWatch.heartbeat(tick)) lastTickAt = now;
    },
  });
  const runRecord: Part = {
    name: 'run-record',
    start: async () => {
      const run = await recordRunStart(store, {
        at: clock.now(),
        pid: process.pid,
        host: config.host,
        version: deps.version,
        alerts: alertModeFor(config),
      });
      runId = run.id;
      logPreviousRun(run.previous);
      if (run.previous && run.previous.stoppedAt === null) {
        const lastSeen = new Date(run.previous.lastTickAt).toISOString();
        await incidents.notice('warden-restarted', {
          detail: `the previous run (pid ${run.previous.pid}) was last seen at ${lastSeen} and did not stop cleanly`,
        });
      }
    },
    stop: async () => {
      if (runId !== undefined) await recordRunStop(store, runId, clock.now());
    },
  };
  const isHealthy = (): boolean =>
    state === 'running' && !store.health.failing() && clock.now() - lastTickAt < tickMs * 3;
  const bot = createBot({
    config,
    store,
    clock,
    log: deps.log,
    incidents,
    pm2,
    metrics,
    secrets: deps.secrets,
    env: deps.env ?? process.env,
    isHealthy,
    wakeAlerts: () => alerts.dispatcher.wake(),
    tuning: deps.bot,
  });
  const http = createHttpServer({
    host: config.http.listen.host,
    port: config.http.listen.port,
    isHealthy: () => (store.health.failing() ? `store failing: ${store.health.outage()?.reason}` : isHealthy()),
    metrics,
    log: deps.log.child({ part: 'http' }),
    token: config.http.token,
  });
  // a restart the leader's bot was asked for one of this host's services, run here as a local one
  const requestedRestart = createManualRestart({
    drivers: createRestartDrivers({ pm2 }),
    ...{ incidents, store, log: deps.log, host: config.host, services: config.services },
  });
  // shared work runs on the leader only: one bot poller per token, one digest and backup per schedule
  const fleet = createFleet({
    runRequest: (request, signal) => requestedRestart.restartNamed(request.service, request.requestedBy, signal),
    ...{ config, store, clock, log: deps.log, incidents, version: deps.version },
    work: (slots) => [
      ...createBackups({ config, store, incidents, clock, log: deps.log, env: deps.env ?? process.env, slots }).parts,
      ...bot.leaderWork(slots),
    ],
  });
  const retention = storeRetention({
    store,
    clock,
    log: deps.log,
    retainMs: config.store.retainMs,
    timezone: config.timezone,
  });
  const parts: Part[] = [
    runRecord,
    ...alerts.parts,
    ...storeWatch.parts,
    loop,
    retention,
    ...(pm2 ? [pm2] : []),
    restarts,
    ...supervision.parts,
    ...fleet.parts,
    ...hygiene.parts,
    ...bot.parts,
    http,
  ];

  function logPreviousRun(previous: Run | null): void {
    if (previous && previous.stoppedAt === null) {
      log.warn(
        { previousPid: previous.pid, lastSeenAt: new Date(previous.lastTickAt).toISOString() },
        'previous run did not stop cleanly',
      );
    }
  }

  const started: Part[] = [];
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      state = 'stopping';
      log.info('stopping');
      for (const part of started.toReversed()) await stopQuietly(part, log);
      state = 'stopped';
      log.info('stopped');
    })());

  return {
    metrics,
    incidents,
    state: () => state,
    httpAddress: () => http.address(),
    stop,
    start: async () => {
      state = 'starting';
      log.info(
        { version: deps.version, host: config.host, pid: process.pid, node: process.version, os: os.platform() },
        'starting',
      );
      try {
        for (const part of parts) {
          await part.start();
          started.push(part);
        }
      } catch (err) {
        await stop();
        throw err;
      }
      if (!config.telegram.token) {
        log.warn(
          `alerts in dry-run: ${config.telegram.tokenVariable ?? 'telegram.token'} is empty, so alerts are written to this log instead of Telegram`,
        );
      }
      state = 'running';
      log.info({ services: Object.keys(config.services).length }, 'running');
    },
  };
}
