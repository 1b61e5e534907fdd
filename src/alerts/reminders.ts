import type { IncidentTracker } from '../incidents/tracker.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { Part } from '../lib/part.ts';
import { every } from '../scheduler/every.ts';
import type { Store } from '../store/db.ts';
import { listUnresolvedIncidents } from '../store/incidents.ts';
import { lastReminders } from '../store/outbox.ts';

export interface RemindersOptions {
  store: Store;
  /** Reminders go through the tracker: it stamps suppression and the outbox writer plans the rows. */
  incidents: Pick<IncidentTracker, 'remind'>;
  clock: Clock;
  log: Logger;
  /** `telegram.repeat`: how long an open critical incident waits between reminders. */
  repeatMs: number;
  checkEveryMs?: number;
  /** `config.host`: each instance of a fleet reminds of its own host's incidents only. */
  host?: string;
  /** Whether this instance leads the fleet: the leader alone reminds of fleet-wide incidents (host-down). */
  leads?: () => boolean;
  /** Called after reminders were queued, so the dispatcher sends them now. */
  onQueued(): void;
}

/**
 * Reminds of open critical incidents nobody acknowledged, every `repeat`, as a reply under each
 * chat's alert: one per conversation (an outage's incidents share one page). Reminders due together are grouped by the dispatcher like any storm. A silenced or
 * parent-suppressed incident is not reminded of (the tracker's stamp says so).
 */
export function createReminders(options: RemindersOptions): Part {
  const { store, incidents, clock, log } = options;
  return every({
    name: 'alert-reminders',
    intervalMs: options.checkEveryMs ?? 60_000,
    clock,
    log,
    run: async () => {
      const now = clock.now();
      const unresolved = (await listUnresolvedIncidents(store.db)).filter(
        (i) => options.host === undefined || i.host === options.host || (!i.host && (options.leads?.() ?? true)),
      );
      // one reminder per outage, none once someone acknowledged any part of it
      const acknowledged = new Set(unresolved.filter((i) => i.state === 'acknowledged').map((i) => i.conversationId));
      const reminded = new Set<number>();
      const open = unresolved.filter((i) => {
        if (i.state !== 'open' || i.severity !== 'critical' || acknowledged.has(i.conversationId)) return false;
        if (reminded.has(i.conversationId)) return false;
        reminded.add(i.conversationId);
        return true;
      });
      if (open.length === 0) return;
      const last = await lastReminders(
        store.db,
        open.map((i) => i.id),
      );
      let queued = 0;
      for (const incident of open.filter((i) => now - (last.get(i.id) ?? i.openedAt) >= options.repeatMs)) {
        const change = await incidents.remind(incident.id);
        if (!change || change.suppressed) continue;
        queued += 1;
        log.info({ key: incident.key }, 'reminder queued');
      }
      if (queued > 0) options.onQueued();
    },
  });
}
