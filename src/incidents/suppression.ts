import type { Kysely } from 'kysely';
import { findUnresolvedIncident } from '../store/incidents.ts';
import { silenceCovering } from '../store/silences.ts';
import type { Tables } from '../store/tables.ts';
import type { Incident, Suppression } from './types.ts';

/**
 * Decides, inside the tracker's transaction, whether a change is held back from alerts and actions.
 * @example const suppressed = await suppress(incident, at, trx) // { by: 'parent', key: 'db-down:main' }
 */
export type Suppressor = (incident: Incident, at: number, trx: Kysely<Tables>) => Promise<Suppression | null>;

export interface SuppressionOptions {
  /**
   * The incident keys whose being open means this incident's cause is elsewhere (its service's
   * `dependsOn` parents: `db-down:main`). Supervision builds it from the config.
   */
  parentsOf?: (incident: Incident) => readonly string[];
}

/**
 * The one place silence and `dependsOn` are decided: a silence covering the incident, then the
 * parent the watcher saw down (`parentKey`, confirmed by a fresh check of the parent), then a parent
 * whose incident is open in the store (it may have opened in another part, or an earlier run).
 */
export function createSuppression(options: SuppressionOptions = {}): Suppressor {
  return async (incident, at, trx) => {
    const target = await silenceCovering(trx, incident.key, at);
    if (target !== null) return { by: 'silence', target };
    if (incident.parentKey !== null) return { by: 'parent', key: incident.parentKey };
    for (const key of options.parentsOf?.(incident) ?? []) {
      // a parent is a service of the same host: another host's db-down:main is another database
      if (await findUnresolvedIncident(trx, key, incident.host || undefined)) return { by: 'parent', key };
    }
    return null;
  };
}
