import type { Clock } from '../lib/clock.ts';
import { describeError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { Part } from '../lib/part.ts';
import { every } from '../scheduler/every.ts';
import type { Store } from '../store/db.ts';
import { forgetFleetHost, recordFleetBeat } from '../store/fleet.ts';

export interface FleetHeartbeatOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  host: string;
  version: string;
  intervalMs: number;
}

/**
 * This instance's row in `fleet_hosts`, refreshed every interval so the leader can tell it is
 * alive; a clean stop removes the row, so a host taken out on purpose is not reported down.
 */
export function createFleetHeartbeat(options: FleetHeartbeatOptions): Part {
  const { store, clock, host } = options;
  const log = options.log.child({ part: 'fleet-heartbeat' });
  let startedAt = 0;
  let failing = false;
  const loop = every({
    name: 'fleet-heartbeat',
    intervalMs: options.intervalMs,
    clock,
    log,
    run: async () => {
      try {
        await recordFleetBeat(store, {
          host,
          startedAt,
          lastSeen: clock.now(),
          version: options.version,
          pid: process.pid,
        });
        if (failing) log.info({ host }, 'fleet heartbeat written again');
        failing = false;
      } catch (err) {
        // the store watch reports the outage itself; this says once what it means for the fleet
        if (!failing)
          log.warn(
            { host, reason: describeError(err) },
            'fleet heartbeat not written: peers will see this host as down',
          );
        failing = true;
      }
    },
  });
  return {
    name: 'fleet-heartbeat',
    start: () => {
      startedAt = clock.now();
      return loop.start();
    },
    stop: async () => {
      await loop.stop();
      try {
        await forgetFleetHost(store, host);
      } catch (err) {
        log.warn(
          { host, reason: describeError(err) },
          'fleet heartbeat row not removed: the leader will report this host down',
        );
      }
    },
  };
}
