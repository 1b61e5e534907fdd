import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Topic } from '../incidents/topics.ts';
import type { Incident, IncidentAction, Severity } from '../incidents/types.ts';
import type { IncidentsTable, Tables } from './tables.ts';

type Db = Kysely<Tables>;
type Row = Selectable<IncidentsTable>;

export function toIncident(row: Row): Incident {
  return {
    id: row.id,
    host: row.host,
    key: row.key,
    // a topic from a newer warden (after a downgrade) passes through: alerts show it by name
    topic: row.topic as Topic,
    subject: row.subject,
    severity: row.severity,
    state: row.state,
    detail: row.detail,
    excerpt: row.excerpt,
    openedAt: row.opened_at,
    lastSeenAt: row.last_seen_at,
    acknowledgedAt: row.acknowledged_at,
    acknowledgedBy: row.acknowledged_by,
    resolvedAt: row.resolved_at,
    count: row.count,
    actions: JSON.parse(row.actions) as IncidentAction[],
    parentKey: row.parent_key,
    conversationId: row.conversation_id ?? row.id,
  };
}

/** The open or acknowledged incident for a key on `host` (there is at most one); without a host, on any. */
export async function findUnresolvedIncident(db: Db, key: string, host?: string): Promise<Incident | null> {
  let query = db.selectFrom('incidents').selectAll().where('key', '=', key).where('state', '<>', 'resolved');
  if (host !== undefined) query = query.where('host', '=', host);
  const row = await query.orderBy('id').executeTakeFirst();
  return row ? toIncident(row) : null;
}

/**
 * The conversation an incident about `subject` in one of `topics` joins: that of an unresolved one
 * (on `host`, when given: two hosts' outages are two conversations), or null.
 */
export async function openConversation(
  db: Db,
  subject: string,
  topics: readonly string[],
  host?: string,
): Promise<number | null> {
  let query = db
    .selectFrom('incidents')
    .select(['id', 'conversation_id'])
    .where('subject', '=', subject)
    .where('topic', 'in', [...topics])
    .where('state', '<>', 'resolved');
  if (host !== undefined) query = query.where('host', '=', host);
  const row = await query.orderBy('id').executeTakeFirst();
  return row ? (row.conversation_id ?? row.id) : null;
}

/** Every incident of a conversation, in opening order. */
export async function conversationMembers(db: Db, conversationId: number): Promise<Incident[]> {
  const rows = await db
    .selectFrom('incidents')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', conversationId), eb('conversation_id', '=', conversationId)]))
    .orderBy('id')
    .execute();
  return rows.map(toIncident);
}

export async function getIncident(db: Db, id: number): Promise<Incident | null> {
  const row = await db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toIncident(row) : null;
}

export async function getIncidents(db: Db, ids: readonly number[]): Promise<Map<number, Incident>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('incidents')
    .selectAll()
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((row) => [row.id, toIncident(row)]));
}

export async function insertIncident(
  db: Db,
  values: Omit<Insertable<IncidentsTable>, 'actions'> & { actions: IncidentAction[] },
): Promise<Incident> {
  const row = await db
    .insertInto('incidents')
    .values({ ...values, actions: JSON.stringify(values.actions) })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toIncident(row);
}

export async function updateIncident(
  db: Db,
  id: number,
  patch: Omit<Updateable<IncidentsTable>, 'actions' | 'id'> & { actions?: IncidentAction[] },
): Promise<Incident> {
  const { actions, ...rest } = patch;
  const row = await db
    .updateTable('incidents')
    .set({ ...rest, ...(actions ? { actions: JSON.stringify(actions) } : {}) })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toIncident(row);
}

export async function addIncidentHistory(
  db: Db,
  entry: { incidentId: number; at: number; event: string; detail: string },
): Promise<void> {
  await db
    .insertInto('incident_history')
    .values({ incident_id: entry.incidentId, at: entry.at, event: entry.event, detail: entry.detail })
    .execute();
}

export async function incidentHistory(
  db: Db,
  incidentId: number,
): Promise<Array<{ at: number; event: string; detail: string }>> {
  return db
    .selectFrom('incident_history')
    .select(['at', 'event', 'detail'])
    .where('incident_id', '=', incidentId)
    .orderBy('id')
    .execute();
}

/** Open and acknowledged incidents, oldest first. */
export async function listUnresolvedIncidents(db: Db): Promise<Incident[]> {
  const rows = await db
    .selectFrom('incidents')
    .selectAll()
    .where('state', '<>', 'resolved')
    .orderBy('opened_at')
    .orderBy('id')
    .execute();
  return rows.map(toIncident);
}

/** How many incidents are open or acknowledged, per severity (severities with none are absent). */
export async function countUnresolvedBySeverity(db: Db): Promise<Map<Severity, number>> {
  const rows = await db
    .selectFrom('incidents')
    .select(['severity', (eb) => eb.fn.countAll<number>().as('n')])
    .where('state', '<>', 'resolved')
    .groupBy('severity')
    .execute();
  return new Map(rows.map((r) => [r.severity as Severity, Number(r.n)]));
}

/** The newest incidents in any state, newest first. */
export async function listRecentIncidents(db: Db, limit: number): Promise<Incident[]> {
  const rows = await db.selectFrom('incidents').selectAll().orderBy('id', 'desc').limit(limit).execute();
  return rows.map(toIncident);
}
