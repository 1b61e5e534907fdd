import { formatDuration } from '../../config/units.ts';
import type { Incident } from '../../incidents/types.ts';
import { listUnresolvedIncidents } from '../../store/incidents.ts';
import type { StatusSection } from './types.ts';

/** An incident as `warden status` and `warden incidents` show it: JSON and one line. */
export function describeIncident(i: Incident): { json: Record<string, unknown>; line: string } {
  const openedAt = new Date(i.openedAt).toISOString();
  const json = {
    id: i.id,
    key: i.key,
    severity: i.severity,
    state: i.state,
    openedAt,
    lastSeenAt: new Date(i.lastSeenAt).toISOString(),
    resolvedAt: i.resolvedAt === null ? null : new Date(i.resolvedAt).toISOString(),
    acknowledgedBy: i.acknowledgedBy,
    count: i.count,
    detail: i.detail,
    suppressedBy: i.parentKey,
  };
  const suppressed = i.parentKey ? ` [suppressed: ${i.parentKey} is open]` : '';
  const state =
    i.resolvedAt === null
      ? `${i.state} since ${openedAt}`
      : `resolved after ${formatDuration(i.resolvedAt - i.openedAt)}, opened ${openedAt}`;
  const line = `#${i.id} ${i.severity.padEnd(8)} ${i.key.padEnd(28)} ${state} (${i.count}×)${suppressed} — ${i.detail}`;
  return { json, line };
}

export const incidentsStatus: StatusSection = {
  key: 'incidents',
  title: 'Open incidents',
  async read({ store }) {
    const described = (await listUnresolvedIncidents(store.db)).map(describeIncident);
    return {
      json: described.map((d) => d.json),
      lines: described.length > 0 ? described.map((d) => d.line) : ['none'],
    };
  },
};
