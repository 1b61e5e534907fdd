import type { IncidentAction, IncidentSink, IncidentState, Observation, Reading } from '../../src/incidents/types.ts';

interface Open {
  state: IncidentState;
  observation: Observation;
  count: number;
  actions: IncidentAction[];
}

/** The incident port kept in memory, with every call recorded, for tests of what reports to it. */
export class MemoryIncidents implements IncidentSink {
  readonly open = new Map<string, Open>();
  readonly reports: Array<{ key: string; observation: Observation; at: number }> = [];
  readonly resolutions: Array<{ key: string; detail: string; at: number }> = [];

  observe(key: string, reading: Reading): Promise<void> {
    if (reading.ok) return this.resolve(key, reading.detail);
    const { ok: _ok, ...observation } = reading;
    return this.report(key, observation);
  }

  report(key: string, observation: Observation): Promise<void> {
    this.reports.push({ key, observation, at: Date.now() });
    const open = this.open.get(key);
    if (open) Object.assign(open, { observation, count: open.count + 1 });
    else this.open.set(key, { state: 'open', observation, count: 1, actions: [] });
    return Promise.resolve();
  }

  resolve(key: string, detail: string): Promise<void> {
    if (this.open.delete(key)) this.resolutions.push({ key, detail, at: Date.now() });
    return Promise.resolve();
  }

  recordAction(key: number | string, action: IncidentAction): Promise<void> {
    this.open.get(String(key))?.actions.push(action);
    return Promise.resolve();
  }

  stateOf(key: string): Promise<IncidentState | null> {
    return Promise.resolve(this.open.get(key)?.state ?? null);
  }

  acknowledge(key: string): void {
    const open = this.open.get(key);
    if (open) open.state = 'acknowledged';
  }

  reportsOf(key: string): Observation[] {
    return this.reports.filter((r) => r.key === key).map((r) => r.observation);
  }
}
