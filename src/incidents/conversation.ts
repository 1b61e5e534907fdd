import type { Topic } from './topics.ts';
import { severityRank, type Incident } from './types.ts';

/**
 * The topics of one service's outage, as it evolves: pm2 restarted it, it crash-loops, its check
 * fails, warden gave up restarting it. While one of them is open for a service, the next one joins
 * its conversation: one message edited as the outage evolves, one resolved reply at its end.
 */
export const outageTopics: ReadonlySet<Topic> = new Set<Topic>([
  'service-crashed',
  'crash-loop',
  'service-down',
  'db-down',
  'restart-gave-up',
]);

/** Where a human is needed, above critical: the one change that rings a chat already rung for this outage. */
const humanNeeded: Topic = 'restart-gave-up';

/** How loud an incident of a conversation is: its severity's rank, and one more when a human is needed. */
export function urgency(incident: Pick<Incident, 'topic' | 'severity'>): number {
  return severityRank[incident.severity] + (incident.topic === humanNeeded ? 1 : 0);
}

/** Whether this incident is the one that says a human is needed now. */
export function needsHuman(incident: Pick<Incident, 'topic'>): boolean {
  return incident.topic === humanNeeded;
}

/**
 * The member a conversation's message is about: the most urgent open one (the first of equals),
 * or the most urgent of all once every member is resolved.
 */
export function leadOf(members: readonly Incident[]): Incident {
  const open = members.filter((m) => m.state !== 'resolved');
  const pool = open.length > 0 ? open : members;
  return pool.reduce((lead, m) => (urgency(m) > urgency(lead) ? m : lead));
}
