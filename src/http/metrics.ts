import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { severities } from '../incidents/types.ts';
import type { Clock } from '../lib/clock.ts';
import type { Store } from '../store/db.ts';
import { latestCheckResults } from '../store/check-results.ts';
import { countUnresolvedBySeverity } from '../store/incidents.ts';
import { pendingSummary } from '../store/outbox.ts';

export interface MetricsSources {
  readLastTickMs(): number;
  store: Store;
  clock: Clock;
  /** The configured services; the store may still hold results of removed ones. */
  services: readonly string[];
  /** Alerts sent again since start because the last run died while sending them. */
  resentAlerts?(): number;
  /** Whether this instance holds the fleet's leader lock (always, on a SQLite store). */
  isLeader?(): boolean;
  /** `config.host`: service checks are this host's (a fleet shares the store). */
  host?: string;
}

/**
 * Default process metrics plus warden's own gauges, read at scrape time: an outside Prometheus can
 * then alert on what warden cannot tell Telegram itself (alerts stuck in the outbox).
 */
/**
 * A gauge read from the store shows no sample while the store fails, so the scrape still answers
 * with the metrics that matter then (warden_store_errors_total).
 */
async function fromStore<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch {
    return undefined;
  }
}

export function createMetrics({
  readLastTickMs,
  store,
  clock,
  services,
  resentAlerts,
  isLeader,
  host,
}: MetricsSources): Registry {
  const registry = new ScrapeStartedRegistry();
  new Gauge({
    name: 'warden_loop_last_tick_timestamp_seconds',
    help: 'When the daemon loop last ticked (unix seconds).',
    registers: [registry],
    collect() {
      this.set(readLastTickMs() / 1000);
    },
  });
  new Gauge({
    name: 'warden_incidents_open',
    help: 'Incidents open or acknowledged, by severity.',
    labelNames: ['severity'],
    registers: [registry],
    async collect() {
      this.reset();
      const counts = await fromStore(() => countUnresolvedBySeverity(store.db));
      if (counts) for (const severity of severities) this.set({ severity }, counts.get(severity) ?? 0);
    },
  });
  new Gauge({
    name: 'warden_outbox_pending',
    help: 'Alert messages written to the outbox and not delivered yet.',
    registers: [registry],
    async collect() {
      this.reset();
      const summary = await fromStore(() => pendingSummary(store.db));
      if (summary) this.set(summary.pending);
    },
  });
  new Gauge({
    name: 'warden_outbox_oldest_pending_age_seconds',
    help: 'How long the oldest undelivered alert message has waited (0 when none waits).',
    registers: [registry],
    async collect() {
      this.reset();
      const summary = await fromStore(() => pendingSummary(store.db));
      if (summary) {
        const { oldestPendingAt } = summary;
        this.set(oldestPendingAt === null ? 0 : Math.max(0, clock.now() - oldestPendingAt) / 1000);
      }
    },
  });
  new Gauge({
    name: 'warden_service_check_ok',
    help: "1 when a service's latest health check passed, 0 when it failed.",
    labelNames: ['service'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const result of (await fromStore(() => latestCheckResults(store, host))) ?? [])
        if (services.includes(result.service)) this.set({ service: result.service }, result.ok ? 1 : 0);
    },
  });
  new Counter({
    name: 'warden_store_errors_total',
    help: "Failed writes and reads of warden's own store since start (its heartbeat also fails when the SQLite file is gone or the disk is full).",
    registers: [registry],
    collect() {
      this.reset();
      this.inc(store.health.errorsTotal());
    },
  });
  new Counter({
    name: 'warden_alerts_resent_total',
    help: 'Alerts sent again since start because warden stopped while sending them (the message says so).',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(resentAlerts?.() ?? 0);
    },
  });
  if (isLeader)
    new Gauge({
      name: 'warden_fleet_leader',
      help: "1 while this instance holds the fleet's leader lock and runs the shared work (always 1 on a SQLite store).",
      registers: [registry],
      collect() {
        this.set(isLeader() ? 1 : 0);
      },
    });
  return registry;
}

/**
 * What warden did, counted as it happens: the parts that act call these (a restart made, a check
 * run, an alert settled), so a scrape shows work done since start, not a reading of the store.
 * @example events.restarted('api', true) // warden_restarts_total{service="api",outcome="ok"} + 1
 */
export interface MetricEvents {
  restarted(service: string, ok: boolean): void;
  checked(service: string, kind: string, latencyMs: number): void;
  /** `count` outbox rows (alerts, edits, replies) went out in one message, or failed for good. */
  alertsSettled(outcome: 'delivered' | 'failed', channel: string, count: number): void;
}

export function createMetricEvents(registry: Registry, services: readonly string[]): MetricEvents {
  const restarts = new Counter({
    name: 'warden_restarts_total',
    help: "Restarts warden's restart policy made since start, by service and whether the restart command succeeded.",
    labelNames: ['service', 'outcome'],
    registers: [registry],
  });
  // every configured service shows 0 from the start, so rate() and increase() see its first restart
  for (const service of services) for (const outcome of ['ok', 'failed']) restarts.inc({ service, outcome }, 0);
  const checks = new Histogram({
    name: 'warden_check_duration_seconds',
    help: 'How long health checks took, by service and check kind (a timed-out check counts its timeout).',
    labelNames: ['service', 'kind'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const sent = new Counter({
    name: 'warden_alerts_sent_total',
    help: 'Alert messages, edits and replies delivered since start, by channel (telegram, or log in dry-run).',
    labelNames: ['channel'],
    registers: [registry],
  });
  const failed = new Counter({
    name: 'warden_alerts_failed_total',
    help: 'Alert messages, edits and replies given up on since start (refused for good or out of attempts), by channel.',
    labelNames: ['channel'],
    registers: [registry],
  });
  return {
    restarted: (service, ok) => restarts.inc({ service, outcome: ok ? 'ok' : 'failed' }),
    checked: (service, kind, latencyMs) => checks.observe({ service, kind }, latencyMs / 1000),
    alertsSettled: (outcome, channel, count) => (outcome === 'delivered' ? sent : failed).inc({ channel }, count),
  };
}

/**
 * Gauges named like counters, which `promtool check metrics` rejects ("non-counter metrics should
 * not have _total suffix"); the same numbers by type remain in nodejs_active_handles and
 * nodejs_active_requests and nodejs_active_resources.
 */
const lintFailingDefaults = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/**
 * Node's default metrics start with the first scrape: until something reads /metrics, their
 * event-loop sampler and GC observer would cost CPU for nobody (docs/benchmarks.md). The first
 * scrape's event-loop figures therefore cover no time yet.
 */
class ScrapeStartedRegistry extends Registry {
  private defaults = false;

  override metrics(): Promise<string> {
    if (!this.defaults) {
      this.defaults = true;
      // the default 10 ms event-loop sampler alone costs ~0.7 % of a core; 100 ms is precise enough here
      collectDefaultMetrics({ register: this, eventLoopMonitoringPrecision: 100 });
      for (const name of lintFailingDefaults) this.removeSingleMetric(name);
    }
    return super.metrics();
  }
}
