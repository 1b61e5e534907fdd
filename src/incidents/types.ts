import type { Topic } from './topics.ts';

/** How loud an incident is. Critical rings, warning rings outside quiet hours, info never rings. */
export type Severity = 'info' | 'warning' | 'critical';

export const severities = ['info', 'warning', 'critical'] as const satisfies readonly Severity[];

/** Ordering for `minSeverity` filters: `severityRank.warning > severityRank.info`. */
export const severityRank: Record<Severity, number> = {
  info: 0,
  warning: 1,
  critical: 2,
};

/** open → acknowledged → resolved. Stored as text; append-only. */
export type IncidentState = 'open' | 'acknowledged' | 'resolved';

/**
 * Something warden did about an incident, shown in the alert ("restarted 2× — last at 03:12").
 * @example { at: 1764300725000, kind: 'restart', ok: true, detail: 'pm2 restart api' }
 */
export interface IncidentAction {
  at: number;
  kind: string;
  ok: boolean;
  detail: string;
  /** For a `pm2-stop` (an operator stopped the app with pm2): when warden restarts it, null when it will not. */
  restartInMs?: number | null;
}

/**
 * One problem warden is tracking, keyed by `topic:subject`. A repeat of an open incident updates
 * it (count, lastSeenAt); it never creates a second one.
 * @example { key: 'service-down:api', topic: 'service-down', subject: 'api', severity: 'critical', state: 'open', count: 3, ... }
 */
export interface Incident {
  id: number;
  /** The host it is about (fleet mode); absent or '' on incidents made before warden knew hosts. */
  host?: string;
  key: string;
  topic: Topic;
  subject: string;
  severity: Severity;
  state: IncidentState;
  /** One line saying what is wrong now, e.g. `GET http://127.0.0.1:3000/healthz: timed out after 5000ms`. */
  detail: string;
  /** Recent log lines or command output, raw (renderers escape and trim it). */
  excerpt: string | null;
  openedAt: number;
  lastSeenAt: number;
  acknowledgedAt: number | null;
  /** Who acknowledged: `cli`, or the Telegram user (`@name`). */
  acknowledgedBy: string | null;
  resolvedAt: number | null;
  count: number;
  actions: IncidentAction[];
  /** Set when suppressed because a `dependsOn` parent is down, e.g. `db-down:main`. */
  parentKey: string | null;
  /** The first incident of the outage it belongs to (`incidents/conversation.ts`); its own id when alone. */
  conversationId: number;
}

/**
 * What a check or watcher saw, reported to the tracker under an incident key.
 * @example incidents.report('service-down:api', { detail: 'GET /healthz: timed out after 5000ms', excerpt: lastLines })
 */
export interface Observation {
  detail: string;
  /** Recent log lines or command output, raw. */
  excerpt?: string | null;
  /** Overrides the topic's default severity (a service's `severity`, a log pattern's). */
  severity?: Severity;
  /** Set while the incident is suppressed because this parent incident is open (`dependsOn`). */
  parentKey?: string | null;
  /** When the problem began, if before this report (the first failed check): a new incident opens then. */
  since?: number;
  /** Something done to the service that explains the problem (`pm2-stop`), recorded with the report. */
  action?: Omit<IncidentAction, 'at'>;
}

/**
 * A level-triggered reading of one incident key: how things are now. A problem opens or updates the
 * incident; `ok` resolves it if one is open (also one opened by an earlier run of warden).
 * @example incidents.observe('disk-usage:/', { ok: false, detail: '91% used', severity: 'critical' })
 * @example incidents.observe('disk-usage:/', { ok: true, detail: '62% used' })
 */
export type Reading = ({ ok: false } & Observation) | { ok: true; detail: string };

/**
 * `opened`: a new incident. `escalated`: its severity rose. `updated`: a repeat (no new message,
 * except for topics that edit on repeat). `noticed`: a one-shot incident recorded already resolved
 * (`warden-restarted`). `reminded`: still open and due a reminder (`telegram.repeat`).
 */
export type IncidentChangeKind =
  'opened' | 'updated' | 'escalated' | 'acknowledged' | 'action' | 'resolved' | 'noticed' | 'reminded';

/**
 * Why alerts and actions hold back on a change, decided once by `incidents/suppression.ts`: a
 * `warden silence` covers the incident, or a `dependsOn` parent of its service is down.
 * @example { by: 'silence', target: 'api' }
 * @example { by: 'parent', key: 'db-down:main' }
 */
export type Suppression = { by: 'silence'; target: string } | { by: 'parent'; key: string };

/**
 * One state change of one incident, emitted by the tracker after it is stored. Alerts and actions
 * subscribe; `previous` is the incident before the change (null when it was opened). `suppressed`
 * is the one verdict on silence and parent-down: alerts, reminders and actions read it, none decides again.
 * @example { kind: 'resolved', incident: { key: 'service-down:api', state: 'resolved', … }, previous: { … state: 'open' }, at: 1764300725000, suppressed: null }
 */
export interface IncidentChange {
  kind: IncidentChangeKind;
  incident: Incident;
  previous: Incident | null;
  at: number;
  suppressed: Suppression | null;
}

/**
 * Hears incident changes after they are stored. It runs synchronously inside the tracker's emit, so
 * a listener that acts (a restart, a cleanup) hands the work to `runInBackground` and returns.
 * @example tracker.subscribe((change) => { if (change.kind === 'opened' && !change.suppressed) runInBackground(log, 'cleanup', () => prune()) })
 */
export type IncidentListener = (change: IncidentChange) => void;

/**
 * Where actions subscribe to incident changes: the seam between `incidents/` and `actions/`.
 * @example const unsubscribe = feed.subscribe((change) => policy.handle(change))
 */
export interface IncidentFeed {
  /** Hears every change after it is stored; returns the unsubscribe function. */
  subscribe(listener: IncidentListener): () => void;
}

/**
 * The narrow view of the incident tracker that watchers and actions need. Watchers report what they
 * see with `observe` (level-triggered: the store, not the watcher, remembers what is open).
 * @example await incidents.observe('service-down:api', { ok: false, detail: 'GET …: timed out after 5000ms', severity: 'critical' })
 */
export interface IncidentSink {
  /** Level-triggered: a problem opens or updates the incident, ok resolves it if open. */
  observe(key: string, reading: Reading): Promise<unknown>;
  report(key: string, observation: Observation): Promise<unknown>;
  /** Resolves the unresolved incident with this key; a no-op when there is none. */
  resolve(key: string, detail: string): Promise<unknown>;
  /** Notes something warden did on the incident with this id, or the unresolved one with this key ("restarted 2×, last 03:12:05"). */
  recordAction(idOrKey: number | string, action: IncidentAction): Promise<unknown>;
  /** The state of the unresolved incident with this key, or null when there is none. */
  stateOf(key: string): Promise<IncidentState | null>;
}
