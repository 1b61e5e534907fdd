import type { IncidentSink } from '../incidents/types.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { Part } from '../lib/part.ts';
import { every } from '../scheduler/every.ts';
import type { Store } from '../store/db.ts';
import { listFleetHosts } from '../store/fleet.ts';
import { listUnresolvedIncidents } from '../store/incidents.ts';
import { formatDuration } from '../config/units.ts';

export interface HostDownWatchOptions {
  store: Store;
  incidents: IncidentSink;
  clock: Clock;
  log: Logger;
  /** This instance: it is alive by definition, whatever its row says. */
  host: string;
  heartbeatMs: number;
  /** Heartbeats a peer may miss before it is down. */
  missed: number;
}

const topic = 'host-down';

/**
 * Leader work: reads every peer's heartbeat four times per heartbeat interval and says how each host is now
 * (`host-down:<host>` open while it is silent, resolved when it writes again or leaves cleanly).
 * The store remembers what is open, so a new leader carries on where the last one stopped.
 */
export function createHostDownWatch(options: HostDownWatchOptions): Part {
  const { store, incidents, clock } = options;
  const log = options.log.child({ part: 'host-down' });
  const limitMs = options.heartbeatMs * options.missed;
  return every({
    name: 'fleet-host-down',
    // four times per heartbeat: a silent peer is reported soon after it crossed the line
    intervalMs: Math.max(1, Math.floor(options.heartbeatMs / 4)),
    clock,
    log,
    run: async () => {
      const now = clock.now();
      const peers = (await listFleetHosts(store)).filter((peer) => peer.host !== options.host);
      for (const peer of peers) {
        const silentMs = now - peer.lastSeen;
        const key = `${topic}:${peer.host}`;
        if (silentMs > limitMs) {
          await incidents.observe(key, {
            ok: false,
            detail: `no heartbeat for ${formatDuration(silentMs)} (${Math.floor(silentMs / options.heartbeatMs)} missed; last seen ${new Date(peer.lastSeen).toISOString()}, pid ${peer.pid}, version ${peer.version})`,
          });
        } else {
          await incidents.observe(key, { ok: true, detail: `heartbeat again after ${formatDuration(silentMs)}` });
        }
      }
      // a host that stopped cleanly removed its row: it is not down any more, it left
      const known = new Set(peers.map((peer) => `${topic}:${peer.host}`));
      for (const incident of await listUnresolvedIncidents(store.db)) {
        if (incident.key.startsWith(`${topic}:`) && !known.has(incident.key))
          await incidents.observe(incident.key, { ok: true, detail: 'the host left the fleet (clean stop)' });
      }
    },
  });
}
