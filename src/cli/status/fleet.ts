import { readFleet } from '../../store/fleet-view.ts';
import type { Store } from '../../store/db.ts';
import { describeIncident } from './incidents.ts';

/** `warden status --fleet`: every host on the store with its daemon, services and open incidents. */
export async function fleetStatus(store: Store, now: number): Promise<{ json: unknown; lines: string[] }> {
  const hosts = await readFleet(store, now);
  const iso = (at: number | null): string | null => (at === null ? null : new Date(at).toISOString());
  const json = {
    hosts: hosts.map((h) => ({
      host: h.host,
      state: h.state,
      pid: h.pid,
      lastSeenAt: iso(h.lastSeenAt),
      services: h.services.map((s) => ({
        name: s.service,
        state: s.ok ? 'healthy' : 'failing',
        detail: s.detail,
        checkedAt: iso(s.at),
      })),
      incidents: h.incidents.map((i) => describeIncident(i).json),
    })),
  };
  const lines = [`warden fleet: ${hosts.length} host${hosts.length === 1 ? '' : 's'}`];
  for (const h of hosts) {
    const seen = h.lastSeenAt === null ? '' : `, last seen ${iso(h.lastSeenAt)}`;
    lines.push('', `${h.host || '(no host)'}: ${h.state}${h.pid === null ? '' : ` (pid ${h.pid})`}${seen}`);
    lines.push(
      ...h.services.map(
        (s) => `  ${s.service.padEnd(20)} ${s.ok ? 'healthy' : 'failing'}${s.ok ? '' : ` — ${s.detail}`}`,
      ),
    );
    lines.push(
      ...(h.incidents.length > 0 ? h.incidents.map((i) => `  ${describeIncident(i).line}`) : ['  no open incidents']),
    );
  }
  return { json, lines };
}
