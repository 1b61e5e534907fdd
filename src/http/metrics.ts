import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/** Default process metrics plus warden's own gauges; parts add theirs to the same registry. */
export function createMetrics(readLastTickMs: () => number): Registry {
  const registry = new Registry();
  // The default 10 ms event-loop sampler alone costs ~0.7 % of a core; 100 ms is precise enough for an alerting daemon.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  new Gauge({
    name: 'warden_loop_last_tick_timestamp_seconds',
    help: 'When the daemon loop last ticked (unix seconds).',
    registers: [registry],
    collect() {
      this.set(readLastTickMs() / 1000);
    },
  });
  return registry;
}
