import type { RestartStrategy, ServiceConfig } from '../../config/schema.ts';
import { formatDuration } from '../../config/units.ts';
import type { Topic } from '../../incidents/topics.ts';
import type { IncidentChange, IncidentFeed, IncidentSink } from '../../incidents/types.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Part } from '../../lib/part.ts';
import { runInBackground } from '../../lib/run-in-background.ts';
import type { RestartDecision, RestartDriver } from './types.ts';

export interface RestartPolicyOptions {
  /** The configured services by name: an incident's subject names the service to restart. */
  services: Record<string, ServiceConfig>;
  drivers: Record<RestartStrategy, RestartDriver>;
  incidents: IncidentSink & IncidentFeed;
  clock: Clock;
  log: Logger;
}

interface Track {
  /** When each restart in the current window was made. */
  attempts: number[];
  /** Restarts since the service was last healthy; the backoff exponent. */
  streak: number;
  nextAllowedAt: number;
  /** Down checks the restarted service still gets to come up before the next restart. */
  graceChecks: number;
  /** The same grace in time, for a crash loop that no check reports: failureThreshold × interval. */
  graceUntil: number;
  /** When the last restart returned. */
  restartedAt: number;
  gaveUp: boolean;
}

const fresh = { attempts: [], streak: 0, nextAllowedAt: 0, graceChecks: 0, graceUntil: 0, restartedAt: 0 };

/** `restart-gave-up:api`: warden stopped restarting api and a human is needed. */
export const gaveUpKey = (service: string): string => `restart-gave-up:${service}`;

/**
 * The incidents a restart may cure: the service is down, or pm2 cannot keep it up. The service is
 * healthy again once none of them is open: a check that passes while the app still crash-loops is
 * a glimpse of it between two exits, not a recovery.
 */
const restartTopics = ['service-down', 'db-down', 'crash-loop'] as const satisfies readonly Topic[];

/** initial, 2×initial, 4×initial … capped at max: the wait after the n-th restart in a row. */
export function backoffDelayMs(service: ServiceConfig, streak: number): number {
  const { backoffInitialMs, backoffMaxMs } = service.restart;
  return Math.min(backoffMaxMs, backoffInitialMs * 2 ** Math.max(0, streak - 1));
}

/** A crash-looping service no check calls down gets this long after a restart to come up. */
export function graceMs(service: ServiceConfig): number {
  return service.failureThreshold * service.intervalMs;
}

/**
 * Decides whether a service is restarted, reacting to incident changes (the monitor and the pm2
 * watcher only report): a `service-down`, `db-down` or `crash-loop` that is not suppressed asks
 * for a restart. It owns all restart pacing: exponential backoff, and a grace after each attempt
 * (the restarted service gets `failureThreshold` failing checks to come up, as it did to go down); after `maxRestarts` within `window` it stops, opens `restart-gave-up` once, and
 * resumes only when the service is healthy again or that incident is acknowledged.
 */
export class RestartPolicy implements Part {
  readonly name = 'restart-policy';
  private readonly tracks = new Map<string, Track>();
  private readonly log: Logger;
  private readonly controller = new AbortController();
  /** Changes of one service are handled in order; different services in parallel. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private unsubscribe: (() => void) | undefined;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: RestartPolicyOptions) {
    this.log = options.log.child({ part: 'restarts' });
  }

  start(): Promise<void> {
    this.unsubscribe ??= this.options.incidents.subscribe((change) => {
      if (!this.concerns(change)) return;
      runInBackground(this.log, `restart:${change.incident.key}`, () => this.handle(change));
    });
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return (this.stopping ??= (async () => {
      this.unsubscribe?.();
      this.controller.abort(new Error('restart policy stopped'));
      await this.idle();
    })());
  }

  /** Resolves once every change heard so far is handled. */
  async idle(): Promise<void> {
    while (this.queues.size > 0) await Promise.all(this.queues.values());
  }

  /** Handles one change (the subscription calls this); null when it is none of the policy's business. */
  handle(change: IncidentChange): Promise<RestartDecision | null> {
    const service = this.concerns(change) ? this.options.services[change.incident.subject] : undefined;
    if (!service) return Promise.resolve(null);
    const previous = this.queues.get(service.name) ?? Promise.resolve();
    const next = previous.then(() => this.decide(service, change));
    const settled: Promise<void> = next
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        if (this.queues.get(service.name) === settled) this.queues.delete(service.name);
      });
    this.queues.set(service.name, settled);
    return next;
  }

  private concerns(change: IncidentChange): boolean {
    return (
      (restartTopics as readonly Topic[]).includes(change.incident.topic) &&
      Object.hasOwn(this.options.services, change.incident.subject)
    );
  }

  private async decide(service: ServiceConfig, change: IncidentChange): Promise<RestartDecision | null> {
    switch (change.kind) {
      case 'updated':
        // pm2 restarts a crash-looping app on every exit by itself: one restart when the loop is
        // recognised; an app pm2 gives up on is down, and its check asks for more
        return change.incident.topic === 'crash-loop' ? null : this.onDown(service, change);
      case 'opened':
      case 'escalated':
        return this.onDown(service, change);
      case 'resolved':
        await this.onHealthy(service);
        return null;
      default:
        return null;
    }
  }

  private async onDown(service: ServiceConfig, change: IncidentChange): Promise<RestartDecision> {
    const { key, detail } = change.incident;
    if (service.restart.strategy === 'none') return 'not-attempted';
    if (change.suppressed) {
      // the parent's outage is the cause, or someone asked for quiet: a restart would not help
      this.log.debug({ key, suppressed: change.suppressed }, 'restart skipped: suppressed');
      return 'suppressed';
    }
    // an operator stopped it with pm2 and the page says when warden restarts it: once the checks
    // call it down, which leaves them the time to `warden silence` it
    if (change.kind === 'opened' && change.incident.actions.some((a) => a.kind === 'pm2-stop')) return 'backoff';
    const { incidents, clock } = this.options;
    const track = await this.track(service);
    const now = clock.now();
    if (track.gaveUp) {
      if ((await incidents.stateOf(gaveUpKey(service.name))) !== 'acknowledged') return 'gave-up';
      this.log.info({ key: gaveUpKey(service.name) }, 'restarts resumed after acknowledgement');
      Object.assign(track, fresh, { attempts: [], gaveUp: false });
    }
    if (change.incident.topic === 'crash-loop') {
      if (now < track.graceUntil) return 'backoff';
    } else if (change.at < track.restartedAt) {
      return 'backoff';
    } else if (track.graceChecks > 0) {
      // a repeat is one more failing check; an opening is failureThreshold of them
      track.graceChecks = change.kind === 'opened' ? 0 : track.graceChecks - 1;
      if (track.graceChecks > 0) return 'backoff';
    }
    track.attempts = track.attempts.filter((at) => now - at < service.restart.windowMs);
    if (track.attempts.length >= service.restart.maxRestarts) {
      track.gaveUp = true;
      const gaveUp = gaveUpKey(service.name);
      this.log.error({ key: gaveUp, restarts: track.attempts.length, detail }, 'restarts gave up');
      await incidents.report(gaveUp, {
        detail: `${service.name} was restarted ${track.attempts.length}× within ${formatDuration(service.restart.windowMs)} and is still down (${detail}); warden stopped restarting it — a human is needed`,
      });
      return 'gave-up';
    }
    if (now < track.nextAllowedAt) return 'backoff';

    const outcome = await this.options.drivers[service.restart.strategy].restart(service, this.controller.signal);
    if (!outcome.attempted) {
      this.log.warn({ key, detail: outcome.detail }, 'restart not attempted');
      return 'not-attempted';
    }
    track.attempts.push(now);
    track.streak += 1;
    const waitMs = backoffDelayMs(service, track.streak);
    Object.assign(track, {
      nextAllowedAt: now + waitMs,
      graceChecks: service.failureThreshold,
      graceUntil: now + graceMs(service),
    });
    const fields = {
      key,
      attempt: track.attempts.length,
      maxRestarts: service.restart.maxRestarts,
      nextAllowedInMs: waitMs,
      detail: outcome.detail,
    };
    if (outcome.ok) this.log.info(fields, 'service restarted');
    else this.log.warn({ ...fields, output: outcome.excerpt }, 'restart failed');
    // changes observed while the restart ran saw the old process: the grace starts now
    track.restartedAt = clock.now();
    await incidents.recordAction(change.incident.id, {
      at: now,
      kind: 'restart',
      ok: outcome.ok,
      detail: outcome.detail,
    });
    return outcome.ok ? 'restarted' : 'failed';
  }

  private async onHealthy(service: ServiceConfig): Promise<void> {
    if (service.restart.strategy === 'none') return;
    for (const topic of restartTopics) {
      if ((await this.options.incidents.stateOf(`${topic}:${service.name}`)) !== null) return;
    }
    const track = this.tracks.get(service.name);
    if (track) Object.assign(track, { streak: 0, nextAllowedAt: 0, graceChecks: 0, graceUntil: 0 });
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
      track = this.tracks.get(service.name) ?? { ...fresh, attempts: [], gaveUp };
      this.tracks.set(service.name, track);
    }
    return track;
  }
}
