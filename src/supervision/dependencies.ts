import type { ServiceConfig } from '../config/schema.ts';
import type { Topic } from '../incidents/topics.ts';
import type { Incident } from '../incidents/types.ts';
import type { ServiceHealth } from './types.ts';

/** `db-down:main` for a database, `service-down:api` for everything else. */
export function downIncidentKey(service: ServiceConfig): string {
  return `${service.check.kind === 'postgres' ? 'db-down' : 'service-down'}:${service.name}`;
}

/** Topics whose subject is a configured service. */
const serviceTopics: ReadonlySet<Topic> = new Set<Topic>([
  'service-down',
  'db-down',
  'service-crashed',
  'crash-loop',
  'restart-gave-up',
]);

/**
 * For the suppression decision: the down-incident keys of a service incident's `dependsOn` parents
 * (`db-down:main` for an incident about `api` that depends on `main`).
 */
export function parentIncidentKeys(services: Record<string, ServiceConfig>): (incident: Incident) => string[] {
  return (incident) => {
    if (!serviceTopics.has(incident.topic)) return [];
    return (services[incident.subject]?.dependsOn ?? []).flatMap((name) => {
      const parent = services[name];
      return parent ? [downIncidentKey(parent)] : [];
    });
  };
}

/**
 * A monitored service as its children see it.
 * @example { incidentKey: 'db-down:main', health: () => 'down', lastOk: () => false, checkNow: (signal) => monitor.checkNow(signal) }
 */
export interface ParentView {
  incidentKey: string;
  health(): ServiceHealth;
  /** The last check's outcome, or null before the first one. */
  lastOk(): boolean | null;
  checkNow(signal?: AbortSignal): Promise<{ ok: boolean }>;
}

/**
 * `dependsOn` at run time: which parent of a service is down, so the child's incidents link to it
 * (and page no one) and the child is not restarted because of the parent's outage.
 */
export class Dependencies {
  private readonly parents = new Map<string, ParentView>();

  constructor(private readonly services: Record<string, ServiceConfig>) {}

  register(name: string, view: ParentView): void {
    this.parents.set(name, view);
  }

  /**
   * The incident key of a parent that is down, or null. With `confirm`, a parent that looked
   * fine is checked again now: a child often notices an outage before its parent's slower loop
   * reaches its threshold, and that first page is the one that must not go out.
   */
  async downParent(name: string, options: { confirm: boolean; signal?: AbortSignal }): Promise<string | null> {
    for (const parentName of this.services[name]?.dependsOn ?? []) {
      const parent = this.parents.get(parentName);
      if (!parent) continue;
      if (isDown(parent)) return parent.incidentKey;
      if (options.confirm && !(await parent.checkNow(options.signal)).ok) return parent.incidentKey;
    }
    return null;
  }

  /** Whether the service's own check passes now (run now, or the run in flight); true for a service no monitor watches. */
  async passes(name: string, signal?: AbortSignal): Promise<boolean> {
    const view = this.parents.get(name);
    if (!view) return true;
    try {
      return (await view.checkNow(signal)).ok;
    } catch {
      return false;
    }
  }

  /** The same from what is known right now, without waiting on a check (for crash events). */
  downParentNow(name: string): string | null {
    for (const parentName of this.services[name]?.dependsOn ?? []) {
      const parent = this.parents.get(parentName);
      if (parent && isDown(parent)) return parent.incidentKey;
    }
    return null;
  }
}

function isDown(parent: ParentView): boolean {
  return parent.health() === 'down' || parent.lastOk() === false;
}
