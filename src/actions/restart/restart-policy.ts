import type { RestartStrategy, ServiceConfig } from '../../config/schema.ts';
import { formatDuration } from '../../config/units.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Logger } from '../../lib/logger.ts';
import type { IncidentSink, RestartDecision, Restarter, SilenceReader } from '../../supervision/types.ts';
import type { RestartDriver } from './types.ts';

export interface RestartPolicyOptions {
  drivers: Record<RestartStrategy, RestartDriver>;
  incidents: IncidentSink;
  silences: SilenceReader;
  clock: Clock;
  log: Logger;
}

interface Track {
  /** When each restart in the current window was made. */
  attempts: number[];
  /** Restarts since the service was last healthy; the backoff exponent. */
  streak: number;
  nextAllowedAt: number;
  gaveUp: boolean;
}

/** `restart-gave-up:api`: warden stopped restarting api and a human is needed. */
export const gaveUpKey = (service: string): string => `restart-gave-up:${service}`;

/** initial, 2×initial, 4×initial … capped at max: the wait after the n-th restart in a row. */
export function backoffDelayMs(service: ServiceConfig, streak: number): number {
  const { backoffInitialMs, backoffMaxMs } = service.restart;
  return Math.min(backoffMaxMs, backoffInitialMs * 2 ** Math.max(0, streak - 1));
}

/**
 * Decides whether a down service is restarted now: exponential backoff between attempts; after
 * `maxRestarts` within `window` it stops, opens `restart-gave-up` once, and resumes only when the
 * service is healthy again or that incident is acknowledged. Silenced services are not restarted.
 */
export class RestartPolicy implements Restarter {
  private readonly tracks = new Map<string, Track>();
  private readonly log: Logger;

  constructor(private readonly options: RestartPolicyOptions) {
    this.log = options.log.child({ part: 'restarts' });
  }

  async onDown(
    service: ServiceConfig,
    incidentKey: string,
    detail: string,
    signal: AbortSignal,
  ): Promise<RestartDecision> {
    if (service.restart.strategy === 'none') return 'not-attempted';
    const { incidents, clock } = this.options;
    if (await this.options.silences.covers(service.name)) {
      this.log.info({ key: incidentKey, service: service.name }, 'restart skipped: service is silenced');
      return 'silenced';
    }
    const track = await this.track(service);
    const now = clock.now();
    if (track.gaveUp) {
      if ((await incidents.stateOf(gaveUpKey(service.name))) !== 'acknowledged') return 'gave-up';
      this.log.info({ key: gaveUpKey(service.name) }, 'restarts resumed after acknowledgement');
      Object.assign(track, { attempts: [], streak: 0, nextAllowedAt: 0, gaveUp: false });
    }
    track.attempts = track.attempts.filter((at) => now - at < service.restart.windowMs);
    if (track.attempts.length >= service.restart.maxRestarts) {
      track.gaveUp = true;
      const key = gaveUpKey(service.name);
      this.log.error({ key, restarts: track.attempts.length, detail }, 'restarts gave up');
      await incidents.report(key, {
        detail: `${service.name} was restarted ${track.attempts.length}× within ${formatDuration(service.restart.windowMs)} and is still down (${detail}); warden stopped restarting it — a human is needed`,
      });
      return 'gave-up';
    }
    if (now < track.nextAllowedAt) return 'backoff';

    const outcome = await this.options.drivers[service.restart.strategy].restart(service, signal);
    if (!outcome.attempted) {
      this.log.warn({ key: incidentKey, detail: outcome.detail }, 'restart not attempted');
      return 'not-attempted';
    }
    track.attempts.push(now);
    track.streak += 1;
    const waitMs = backoffDelayMs(service, track.streak);
    track.nextAllowedAt = now + waitMs;
    const fields = {
      key: incidentKey,
      attempt: track.attempts.length,
      maxRestarts: service.restart.maxRestarts,
      nextAllowedInMs: waitMs,
      detail: outcome.detail,
    };
    if (outcome.ok) this.log.info(fields, 'service restarted');
    else this.log.warn({ ...fields, output: outcome.excerpt }, 'restart failed');
    await incidents.recordAction(incidentKey, { at: now, kind: 'restart', ok: outcome.ok, detail: outcome.detail });
    return outcome.ok ? 'restarted' : 'failed';
  }

  async onHealthy(service: ServiceConfig): Promise<void> {
    if (service.restart.strategy === 'none') return;
    const track = this.tracks.get(service.name);
    if (track) Object.assign(track, { streak: 0, nextAllowedAt: 0 });
    if (track?.gaveUp) {
      track.gaveUp = false;
      track.attempts = [];
      this.log.info({ key: gaveUpKey(service.name) }, 'restarts resumed: service is healthy');
    }
    // also when this run never gave up: the incident may be from before warden restarted
    await this.options.incidents.resolve(gaveUpKey(service.name), `${service.name} is healthy again; restarts resumed`);
  }

  private async track(service: ServiceConfig): Promise<Track> {
    let track = this.tracks.get(service.name);
    if (!track) {
      // a give-up from before warden restarted still holds until health or an acknowledgement
      const gaveUp = (await this.options.incidents.stateOf(gaveUpKey(service.name))) !== null;
      track = this.tracks.get(service.name) ?? { attempts: [], streak: 0, nextAllowedAt: 0, gaveUp };
      this.tracks.set(service.name, track);
    }
    return track;
  }
}
