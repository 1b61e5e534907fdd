import { restartTopics } from '../alerts/render/buttons.ts';
import type { RestartStrategy, ServiceConfig } from '../config/schema.ts';
import type { RestartDriver } from '../actions/restart/types.ts';
import type { IncidentTracker } from '../incidents/tracker.ts';
import type { Logger } from '../lib/logger.ts';
import type { Store } from '../store/db.ts';
import { listUnresolvedIncidents } from '../store/incidents.ts';

export interface ManualRestartOptions {
  drivers: Record<RestartStrategy, RestartDriver>;
  incidents: IncidentTracker;
  store: Store;
  log: Logger;
  /** The host this instance runs as: only its own incidents record the restart. */
  host: string;
  /** This host's services, for a restart asked by name from another host (`restartNamed`). */
  services: Record<string, ServiceConfig>;
}

export interface ManualRestartResult {
  ok: boolean;
  detail: string;
}

/**
 * A restart an admin asked for, through the same drivers as warden's own restarts (pm2's API or the
 * configured command). It is recorded on the service's open incidents with who asked, so the alert
 * shows it. The restart policy's backoff and silences do not apply: a human decided. In a fleet each
 * host restarts only its own services; the leader asks the others through the store
 * (`src/fleet/requests.ts`).
 */
export function createManualRestart(options: ManualRestartOptions) {
  const { drivers, incidents, store, host } = options;
  const log = options.log.child({ part: 'bot' });
  const refusal = (service: ServiceConfig): string | null =>
    service.restart.strategy === 'none' ? 'its restart.strategy is none' : null;
  const restart = async (service: ServiceConfig, by: string, signal: AbortSignal): Promise<ManualRestartResult> => {
    const outcome = await drivers[service.restart.strategy].restart(service, signal);
    const ok = outcome.attempted && outcome.ok;
    log[ok ? 'info' : 'warn']({ service: service.name, by, ok, detail: outcome.detail }, 'manual restart');
    // another host's `service-down:api` is another service that happens to share the name
    const open = (await listUnresolvedIncidents(store.db)).filter(
      (i) => i.host === host && i.subject === service.name && restartTopics.has(i.topic),
    );
    for (const incident of open)
      await incidents.recordAction(incident.id, {
        kind: 'manual-restart',
        ok,
        detail: `${ok ? 'restarted' : 'restart failed'} by ${by}: ${outcome.detail}`,
      });
    return { ok, detail: outcome.detail };
  };
  return {
    /** Why `service` cannot be restarted from the phone, or null when it can. */
    refusal,
    describe(service: ServiceConfig): string {
      return service.restart.strategy === 'pm2'
        ? `pm2 restart ${service.pm2 ?? service.name}`
        : (service.restart.command ?? service.restart.strategy);
    },
    restart,
    /** A restart another host asked for by name: refused here when this host has no such service. */
    async restartNamed(name: string, by: string, signal: AbortSignal): Promise<ManualRestartResult> {
      const service = Object.hasOwn(options.services, name) ? options.services[name]! : null;
      if (!service) {
        const known = Object.keys(options.services).join(', ') || 'none';
        return { ok: false, detail: `${host} has no service ${name} (its services: ${known})` };
      }
      const why = refusal(service);
      if (why) return { ok: false, detail: `cannot restart ${name} on ${host}: ${why}` };
      return restart(service, by, signal);
    },
  };
}

export type ManualRestart = ReturnType<typeof createManualRestart>;
