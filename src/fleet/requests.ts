import { formatDuration } from '../config/units.ts';
import type { Clock } from '../lib/clock.ts';
import { describeError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { Part } from '../lib/part.ts';
import { every } from '../scheduler/every.ts';
import type { Store } from '../store/db.ts';
import {
  claimFleetRequest,
  expireFleetRequests,
  finishFleetRequest,
  fleetRequestTtlMs,
  type FleetRequest,
} from '../store/fleet-requests.ts';

/** A request is taken within this long of being written: the chat is waiting for it. */
const longestPollMs = 1000;

export interface FleetRequestsOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  /** This instance: it takes the requests addressed to it. */
  host: string;
  heartbeatMs: number;
  /** Runs one request on this host (its own config, pm2 and incidents); never called twice for one. */
  run(request: FleetRequest, signal: AbortSignal): Promise<{ ok: boolean; detail: string }>;
}

/**
 * Every instance: takes the actions the leader wrote into the store for this host (a restart asked
 * from Telegram), runs them one at a time and writes the outcome back for the leader to reply with.
 * Requests older than `fleetRequestTtlMs` are marked expired instead of run.
 */
export function createFleetRequests(options: FleetRequestsOptions): Part {
  const { store, clock, host } = options;
  const log = options.log.child({ part: 'fleet-requests' });
  const runOne = async (request: FleetRequest, signal: AbortSignal): Promise<void> => {
    let outcome: { ok: boolean; detail: string };
    try {
      outcome = await options.run(request, signal);
    } catch (err) {
      outcome = { ok: false, detail: describeError(err) };
    }
    await finishFleetRequest(store, { id: request.id, ...outcome, at: clock.now() });
    log.info(
      { id: request.id, service: request.service, by: request.requestedBy, ok: outcome.ok },
      'fleet request done',
    );
  };
  return every({
    name: 'fleet-requests',
    intervalMs: Math.min(options.heartbeatMs, longestPollMs),
    clock,
    log,
    run: async (signal) => {
      const now = clock.now();
      const since = now - fleetRequestTtlMs;
      const expired = await expireFleetRequests(store, {
        host,
        before: since,
        at: now,
        detail: `expired: ${host} did not take it within ${formatDuration(fleetRequestTtlMs)}`,
      });
      if (expired > 0) log.warn({ host, expired }, 'fleet requests expired unrun');
      for (;;) {
        if (signal.aborted) return;
        const request = await claimFleetRequest(store, {
          host,
          since: clock.now() - fleetRequestTtlMs,
          at: clock.now(),
        });
        if (!request) return;
        log.info({ id: request.id, service: request.service, by: request.requestedBy }, 'fleet request taken');
        await runOne(request, signal);
      }
    },
  });
}
