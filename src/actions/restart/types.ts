import type { ServiceConfig } from '../../config/schema.ts';

/**
 * What one restart attempt did. `attempted: false` means nothing was tried (no pm2 daemon, strategy
 * none), so it does not count toward maxRestarts.
 * @example { attempted: true, ok: true, detail: 'pm2 restart api' }
 */
export interface ActionOutcome {
  attempted: boolean;
  ok: boolean;
  detail: string;
  /** Output of a restart command, for the log and the incident. */
  excerpt?: string;
}

/**
 * One way to restart a service; `restart.strategy` picks it.
 * @example export const noRestart = { restart: () => Promise.resolve({ attempted: false, ok: false, detail: 'restart strategy is none' }) } satisfies RestartDriver
 */
export interface RestartDriver {
  restart(service: ServiceConfig, signal: AbortSignal): Promise<ActionOutcome>;
}
