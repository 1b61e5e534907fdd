import type { Config } from '../../config/schema.ts';
import type { IncidentFeed, IncidentSink } from '../../incidents/types.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Logger } from '../../lib/logger.ts';
import { commandRestart } from './command.ts';
import { noRestart } from './none.ts';
import { pm2Restart, type Pm2Restarter } from './pm2.ts';
import { RestartPolicy } from './restart-policy.ts';
import type { RestartDriver } from './types.ts';

interface RestartDeps {
  pm2: Pm2Restarter | null;
}

/**
 * Every `restart.strategy`, by its config name: a new strategy is its file and one line here; the
 * config schema (`actions/restart/config.ts`) takes its names from this object.
 */
export const restartDrivers = {
  pm2: (deps: RestartDeps) => pm2Restart(deps.pm2),
  command: () => commandRestart,
  none: () => noRestart,
} satisfies Record<string, (deps: RestartDeps) => RestartDriver>;

export type RestartStrategy = keyof typeof restartDrivers;

/** The driver for each `restart.strategy`. */
export function createRestartDrivers(deps: RestartDeps): Record<RestartStrategy, RestartDriver> {
  const entries = Object.entries(restartDrivers).map(([name, build]) => [name, build(deps)]);
  return Object.fromEntries(entries) as Record<RestartStrategy, RestartDriver>;
}

/** The restart action for the daemon: the policy, subscribed to incident changes once started. */
export function createRestarts(deps: {
  config: Config;
  pm2: Pm2Restarter | null;
  incidents: IncidentSink & IncidentFeed;
  clock: Clock;
  log: Logger;
  /** A restart was made (attempted), for /metrics. */
  onRestart?(service: string, ok: boolean): void;
}): RestartPolicy {
  const { config, pm2, incidents, clock, log, onRestart } = deps;
  const drivers = createRestartDrivers({ pm2 });
  const counted = (driver: RestartDriver): RestartDriver => ({
    restart: async (service, signal) => {
      const outcome = await driver.restart(service, signal);
      if (outcome.attempted) onRestart?.(service.name, outcome.ok);
      return outcome;
    },
  });
  return new RestartPolicy({
    services: config.services,
    drivers: Object.fromEntries(Object.entries(drivers).map(([name, d]) => [name, counted(d)])) as typeof drivers,
    incidents,
    clock,
    log,
  });
}
