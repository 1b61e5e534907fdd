import type { RestartStrategy } from '../../config/schema.ts';
import { commandRestart } from './command.ts';
import { noRestart } from './none.ts';
import { pm2Restart, type Pm2Restarter } from './pm2.ts';
import type { RestartDriver } from './types.ts';

/** The driver for each `restart.strategy`; a new strategy is its file and one line here. */
export function createRestartDrivers(deps: { pm2: Pm2Restarter | null }): Record<RestartStrategy, RestartDriver> {
  return { pm2: pm2Restart(deps.pm2), command: commandRestart, none: noRestart };
}
