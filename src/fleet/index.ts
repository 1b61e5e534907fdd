import type { Config } from '../config/schema.ts';
import type { IncidentSink } from '../incidents/types.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { Part } from '../lib/part.ts';
import type { CronSlots } from '../scheduler/cron.ts';
import type { Store } from '../store/db.ts';
import { claimFleetSlot, lastFleetSlot } from '../store/fleet.ts';
import { createFleetHeartbeat } from './heartbeats.ts';
import { createHostDownWatch } from './host-down.ts';
import { createLeadership, type Leadership } from './leader.ts';
import { createFleetRequests, type FleetRequestsOptions } from './requests.ts';

export interface FleetOptions {
  config: Config;
  store: Store;
  clock: Clock;
  log: Logger;
  incidents: IncidentSink;
  version: string;
  /** The shared work (bot polling, digest, backups), built afresh each time this instance leads. */
  work(slots: CronSlots | undefined): Part[];
  /** Runs a request the leader wrote for this host (a restart asked from Telegram). */
  runRequest: FleetRequestsOptions['run'];
}

/**
 * Fleet mode, on when the store is PostgreSQL: this instance's heartbeat, the requests the leader
 * writes for this host, and the leadership that runs the shared work plus the watch on peers. On
 * SQLite the one instance leads from start to stop and shared jobs keep no slots, exactly as before
 * fleet mode existed.
 */
export function createFleet(options: FleetOptions): { parts: Part[]; leader: Leadership } {
  const { config, store, clock, log, incidents } = options;
  const { heartbeatMs, missed, leaderPollMs } = config.fleet;
  const host = config.host;
  if (store.dialect !== 'postgres') {
    const leader = createLeadership({
      url: null,
      host,
      clock,
      log,
      pollMs: leaderPollMs,
      work: () => options.work(undefined),
    });
    return { parts: [leader], leader };
  }
  const slots: CronSlots = {
    claim: (job, slotAt) => claimFleetSlot(store, { job, slotAt, host, at: clock.now() }),
    last: (job) => lastFleetSlot(store, job),
  };
  const leader = createLeadership({
    url: config.store.url,
    host,
    clock,
    log,
    pollMs: leaderPollMs,
    work: () => [
      ...options.work(slots),
      createHostDownWatch({ store, incidents, clock, log, host, heartbeatMs, missed }),
    ],
  });
  const heartbeat = createFleetHeartbeat({
    store,
    clock,
    log,
    host,
    version: options.version,
    intervalMs: heartbeatMs,
  });
  const requests = createFleetRequests({ store, clock, log, host, heartbeatMs, run: options.runRequest });
  return { parts: [heartbeat, requests, leader], leader };
}
