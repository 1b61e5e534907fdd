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
}

export interface ManualRestartResult {
  ok: boolean;
  detail: string;
}

/**
 * A restart an admin asked for, through the same drivers as warden's own restarts (pm2's API or the
 * configured command). It is recorded on the service's open incidents with who asked, so the alert
 * shows it. The restart policy's backoff and silences do not apply: a human decided.
 */
export function createManualRestart(options: ManualRestartOptions) {
  const { drivers, incidents, store } = options;
  const log = options.log.child({ part: 'bot' });
  return {
    /** Why `service` cannot be restarted from the phone, or null when it can. */
    refusal(service: ServiceConfig): string | null {
      return service.restart.strategy === 'none' ? 'its restart.strategy is none' : null;
    },
    describe(service: ServiceConfig): string {
      return service.restart.strategy === 'pm2'
        ? `pm2 restart ${service.pm2 ?? service.name}`
        : (service.restart.command ?? service.restart.strategy);
    },
    async restart(service: ServiceConfig, by: string, signal: AbortSignal): Promise<ManualRestartResult> {
      const outcome = await drivers[service.restart.strategy].restart(service, signal);
      const ok = outcome.attempted && outcome.ok;
      log[ok ? 'info' : 'warn']({ service: service.name, by, ok, detail: outcome.detail }, 'manual restart');
      const open = (await listUnresolvedIncidents(store.db)).filter(
        (i) => i.subject === service.name && restartTopics.has(i.topic),
      );
      for (const incident of open)
        await incidents.recordAction(incident.key, {
          kind: 'manual-restart',
          ok,
          detail: `${ok ? 'restarted' : 'restart failed'} by ${by}: ${outcome.detail}`,
        });
      return { ok, detail: outcome.detail };
    },
  };
}

export type ManualRestart = ReturnType<typeof createManualRestart>;
