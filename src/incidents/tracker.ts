import type { Kysely } from 'kysely';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { Store } from '../store/db.ts';
import {
  addIncidentHistory,
  findUnresolvedIncident,
  getIncident,
  insertIncident,
  openConversation,
  updateIncident,
} from '../store/incidents.ts';
import type { Tables } from '../store/tables.ts';
import { cleanInput } from './clean-input.ts';
import { outageTopics } from './conversation.ts';
import { createSuppression, type Suppressor } from './suppression.ts';
import { fleetWide, parseIncidentKey, topics } from './topics.ts';
import {
  severityRank,
  type Incident,
  type IncidentAction,
  type IncidentChange,
  type IncidentFeed,
  type IncidentSink,
  type IncidentState,
  type Observation,
  type Reading,
  type Severity,
} from './types.ts';

/** A change as the tracker's steps build it, before suppression is decided for it. */
type Unstamped = Omit<IncidentChange, 'suppressed'>;

/**
 * Writes whatever else must commit with an incident change (the alert outbox rows), inside the
 * tracker's transaction. The tracker knows nothing of alerts: `daemon.ts` passes the writer in.
 */
export type ChangeWriter = (change: IncidentChange, trx: Kysely<Tables>) => Promise<void>;

export interface TrackerOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  writers?: ChangeWriter[];
  /** Masks secrets in every text that enters (the config's scrubber); control sequences go regardless. */
  scrub?: (text: string) => string;
  /** Silence and `dependsOn` [silences and the parent the watcher saw]. */
  suppression?: Suppressor;
  /** `config.host`: keys are this host's (a fleet shares the store); without it, keys match on any host. */
  host?: string;
}

/**
 * The one module that changes incident state: open, repeat, escalate, acknowledge, record an action,
 * resolve. Each change and what the writers add commit in one transaction, then subscribers hear of it.
 * @example const change = await tracker.report('service-down:api', { detail: 'connection refused' })
 */
export interface IncidentTracker extends IncidentSink, IncidentFeed {
  /** Opens the incident, or updates the open one (count, last seen, detail): a repeat sends nothing new. */
  report(key: string, observation: Observation): Promise<IncidentChange>;
  /** How it is now: a problem opens or updates the incident, ok resolves it; null when nothing changed. */
  observe(key: string, reading: Reading): Promise<IncidentChange | null>;
  /** Resolves the open incident for `key`; null when none is open. */
  resolve(key: string, detail?: string): Promise<IncidentChange | null>;
  /** Closes an unresolved incident by hand (`warden resolve`), recording who and why; null when none matches. */
  resolveByHand(idOrKey: number | string, by: string, reason: string | null): Promise<IncidentChange | null>;
  /** Marks an open incident due a reminder; the writers plan it unless it is suppressed. Null when not open. */
  remind(id: number): Promise<IncidentChange | null>;
  /** By incident id or key; null when no unresolved incident matches. */
  acknowledge(idOrKey: number | string, by: string): Promise<IncidentChange | null>;
  /** Records what warden did ("restarted"); null when no incident is open for `key`. */
  recordAction(
    idOrKey: number | string,
    action: Omit<IncidentAction, 'at'> & { at?: number },
  ): Promise<IncidentChange | null>;
  /** Records a one-shot incident, already resolved, that is still announced (`warden-restarted`). */
  notice(key: string, observation: Observation): Promise<IncidentChange>;
  /** The state of the unresolved incident for `key`, or null when none is open. */
  stateOf(key: string): Promise<IncidentState | null>;
}

/** Actions kept per incident; enough for "restarted 12× — last at 03:12" on a long crash loop. */
const actionsKept = 50;

export function createTracker(options: TrackerOptions): IncidentTracker {
  const { store, clock } = options;
  const log = options.log;
  const writers = options.writers ?? [];
  const suppress = options.suppression ?? createSuppression();
  const hostOf = (key: string): string | undefined =>
    options.host === undefined || !fleetWide.has(parseIncidentKey(key).topic) ? options.host : '';
  const findUnresolved = (db: Kysely<Tables>, key: string) => findUnresolvedIncident(db, key, hostOf(key));
  const listeners = new Set<(change: IncidentChange) => void>();
  // Changes are applied one at a time: two reports of a new key must not both open it.
  let queue: Promise<unknown> = Promise.resolve();

  const serialised = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };

  const commit = async (
    work: (trx: Kysely<Tables>, at: number) => Promise<Unstamped | null>,
  ): Promise<IncidentChange | null> => {
    const change = await serialised(() =>
      store.db.transaction().execute(async (trx) => {
        const at = clock.now();
        const unstamped = await work(trx, at);
        if (!unstamped) return null;
        const result: IncidentChange = { ...unstamped, suppressed: await suppress(unstamped.incident, at, trx) };
        for (const write of writers) await write(result, trx);
        return result;
      }),
    );
    if (change) {
      logChange(log, change);
      for (const listener of listeners) {
        try {
          listener(change);
        } catch (err) {
          log.error({ err, key: change.incident.key }, 'incident listener failed');
        }
      }
    }
    return change;
  };

  const history = (trx: Kysely<Tables>, incident: Incident, at: number, event: string, detail: string) =>
    addIncidentHistory(trx, { incidentId: incident.id, at, event, detail });

  const close = async (
    trx: Kysely<Tables>,
    at: number,
    idOrKey: number | string,
    detail: string,
  ): Promise<Unstamped | null> => {
    const found = typeof idOrKey === 'number' ? await getIncident(trx, idOrKey) : await findUnresolved(trx, idOrKey);
    if (!found || found.state === 'resolved') return null;
    const incident = await updateIncident(trx, found.id, { state: 'resolved', resolved_at: at, last_seen_at: at });
    await history(trx, incident, at, 'resolved', detail);
    return { kind: 'resolved', incident, previous: found, at };
  };

  const tracker: IncidentTracker = {
    observe: async (key, reading) => {
      if (reading.ok) return tracker.resolve(key, reading.detail);
      const { ok: _ok, ...observation } = reading;
      return tracker.report(key, observation);
    },

    report: async (key, observation) =>
      (await commit(async (trx, at) => {
        const { topic, subject } = parseIncidentKey(key);
        const host = hostOf(key);
        const severity = observation.severity ?? topics[topic].severity;
        const previous = await findUnresolved(trx, key);
        if (!previous) {
          const incident = await insertIncident(trx, {
            // an outage already open for this service: this incident is its next chapter
            conversation_id: outageTopics.has(topic)
              ? await openConversation(trx, subject, [...outageTopics], host)
              : null,
            ...(host === undefined ? {} : { host }),
            key,
            topic,
            subject,
            severity,
            state: 'open',
            detail: observation.detail,
            excerpt: observation.excerpt ?? null,
            opened_at: Math.min(at, observation.since ?? at),
            last_seen_at: at,
            acknowledged_at: null,
            acknowledged_by: null,
            resolved_at: null,
            count: 1,
            actions: observation.action ? [{ ...observation.action, at }] : [],
            parent_key: observation.parentKey ?? null,
          });
          await history(trx, incident, at, 'opened', observation.detail);
          return { kind: 'opened', incident, previous: null, at };
        }
        const escalated = severityRank[severity] > severityRank[previous.severity];
        const incident = await updateIncident(trx, previous.id, {
          last_seen_at: at,
          count: previous.count + 1,
          detail: observation.detail,
          severity,
          ...(observation.excerpt !== undefined ? { excerpt: observation.excerpt } : {}),
          ...(observation.parentKey !== undefined ? { parent_key: observation.parentKey } : {}),
          ...(observation.action
            ? { actions: [...previous.actions, { ...observation.action, at }].slice(-actionsKept) }
            : {}),
        });
        if (escalated)
          await history(trx, incident, at, 'escalated', `${previous.severity} → ${severity}: ${observation.detail}`);
        else if (observation.detail !== previous.detail)
          await history(trx, incident, at, 'updated', observation.detail);
        return { kind: escalated ? 'escalated' : 'updated', incident, previous, at };
      }))!,

    resolve: (key, detail) => commit((trx, at) => close(trx, at, key, detail ?? 'healthy again')),

    resolveByHand: (idOrKey, by, reason) =>
      commit((trx, at) => close(trx, at, idOrKey, `by ${by}${reason ? `: ${reason}` : ''}`)),

    remind: (id) =>
      commit(async (trx, at) => {
        const incident = await getIncident(trx, id);
        if (incident?.state !== 'open') return null;
        return { kind: 'reminded', incident, previous: incident, at };
      }),

    acknowledge: (idOrKey, by) =>
      commit(async (trx, at) => {
        const previous =
          typeof idOrKey === 'number' ? await getIncident(trx, idOrKey) : await findUnresolved(trx, idOrKey);
        if (!previous || previous.state !== 'open') return null;
        const incident = await updateIncident(trx, previous.id, {
          state: 'acknowledged',
          acknowledged_at: at,
          acknowledged_by: by,
        });
        await history(trx, incident, at, 'acknowledged', `by ${by}`);
        return { kind: 'acknowledged', incident, previous, at };
      }),

    recordAction: (idOrKey, action) =>
      commit(async (trx, at) => {
        // by id also once resolved: a restart that brought the service back belongs to its incident
        const previous =
          typeof idOrKey === 'number' ? await getIncident(trx, idOrKey) : await findUnresolved(trx, idOrKey);
        if (!previous) return null;
        const entry: IncidentAction = { at: action.at ?? at, kind: action.kind, ok: action.ok, detail: action.detail };
        const incident = await updateIncident(trx, previous.id, {
          actions: [...previous.actions, entry].slice(-actionsKept),
        });
        await history(trx, incident, at, 'action', `${action.kind} ${action.ok ? 'ok' : 'failed'}: ${action.detail}`);
        return { kind: 'action', incident, previous, at };
      }),

    notice: async (key, observation) =>
      (await commit(async (trx, at) => {
        const { topic, subject } = parseIncidentKey(key);
        const host = hostOf(key);
        const incident = await insertIncident(trx, {
          ...(host === undefined ? {} : { host }),
          key,
          topic,
          subject,
          severity: observation.severity ?? topics[topic].severity,
          state: 'resolved',
          detail: observation.detail,
          excerpt: observation.excerpt ?? null,
          opened_at: at,
          last_seen_at: at,
          acknowledged_at: null,
          acknowledged_by: null,
          resolved_at: at,
          count: 1,
          actions: [],
          parent_key: null,
        });
        await history(trx, incident, at, 'noticed', observation.detail);
        return { kind: 'noticed', incident, previous: null, at };
      }))!,

    stateOf: async (key) => (await findUnresolved(store.db, key))?.state ?? null,

    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return cleanInput(tracker, options.scrub ?? ((text) => text));
}

const logLevelOf = { info: 'info', warning: 'warn', critical: 'error' } as const satisfies Record<Severity, string>;

function logChange(log: Logger, change: IncidentChange): void {
  const { key, severity, detail } = change.incident;
  switch (change.kind) {
    case 'opened':
    case 'escalated':
    case 'noticed':
      log[logLevelOf[severity]]({ key, severity, detail }, `incident ${change.kind}`);
      break;
    case 'resolved':
      log.info({ key, durationMs: change.at - change.incident.openedAt }, 'incident resolved');
      break;
    case 'acknowledged':
      log.info({ key, by: change.incident.acknowledgedBy }, 'incident acknowledged');
      break;
    case 'action': {
      const action = change.incident.actions.at(-1);
      log.info({ key, action: action?.kind, ok: action?.ok, detail: action?.detail }, 'incident action recorded');
      break;
    }
    case 'updated':
      log.debug({ key, count: change.incident.count, detail }, 'incident repeated');
      break;
  }
}
