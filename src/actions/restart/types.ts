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

/**
 * What the restart policy did about one incident change of a down or crash-looping service.
 * @example 'backoff' // too soon after the last restart
 */
export type RestartDecision =
  /** A restart was made (pm2 API or command) and reported success. */
  | 'restarted'
  /** A restart was attempted and failed; it still counts toward maxRestarts. */
  | 'failed'
  /** Too soon after the last attempt: the backoff, or the grace a restarted service gets to come up. */
  | 'backoff'
  /** maxRestarts were used up within the window; waiting for health or an acknowledgement. */
  | 'gave-up'
  /** A silence covers the incident, or a `dependsOn` parent is down (the change's stamp). */
  | 'suppressed'
  /** `restart.strategy: none`, or the driver could not even try (no pm2 daemon). */
  | 'not-attempted';
