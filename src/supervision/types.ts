import type { IncidentAction, IncidentState, Observation, Reading } from '../incidents/types.ts';
import type { ServiceConfig } from '../config/schema.ts';

/**
 * The narrow view of the incident tracker that supervision and restarts need.
 * @example await incidents.report('service-down:api', { detail: 'GET …: timed out after 5000ms', severity: 'critical' })
 */
export interface IncidentSink {
  /** Level-triggered: a problem opens or updates the incident, ok resolves it if open. */
  observe(key: string, reading: Reading): Promise<unknown>;
  report(key: string, observation: Observation): Promise<unknown>;
  /** Resolves the unresolved incident with this key; a no-op when there is none. */
  resolve(key: string, detail: string): Promise<unknown>;
  /** Notes something warden did on the unresolved incident with this key ("restarted 2×, last 03:12:05"). */
  recordAction(key: string, action: IncidentAction): Promise<unknown>;
  /** The state of the unresolved incident with this key, or null when there is none. */
  stateOf(key: string): Promise<IncidentState | null>;
}

/**
 * Active `warden silence` entries. A silenced service is neither paged about nor restarted.
 * @example await silences.covers('api') // true during `warden silence api 30m`
 */
export interface SilenceReader {
  /** Whether a silence covers this service name or incident key now. */
  covers(target: string): Promise<boolean>;
}

/** A monitored service's health as the thresholds see it. */
export type ServiceHealth = 'unknown' | 'healthy' | 'failing' | 'down';

/** What the restart side did about a down service on one failing check. */
export type RestartDecision =
  /** A restart was made (pm2 API or command) and reported success. */
  | 'restarted'
  /** A restart was attempted and failed; it still counts toward maxRestarts. */
  | 'failed'
  /** Too soon after the last attempt. */
  | 'backoff'
  /** maxRestarts were used up within the window; waiting for health or an acknowledgement. */
  | 'gave-up'
  | 'silenced'
  /** `restart.strategy: none`, or the driver could not even try (no pm2 daemon). */
  | 'not-attempted';

/**
 * The restart side as the service monitor sees it: told about every failing check while a
 * service is down, and when it is healthy again.
 * @example const decision = await restarts.onDown(service, 'service-down:api', 'GET …: timed out after 5000ms', signal)
 */
export interface Restarter {
  onDown(service: ServiceConfig, incidentKey: string, detail: string, signal: AbortSignal): Promise<RestartDecision>;
  onHealthy(service: ServiceConfig): Promise<void>;
}
