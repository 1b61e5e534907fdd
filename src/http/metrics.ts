import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/** Default process metrics plus warden's own gauges; parts add theirs to the same registry. */
export function createMetrics(readLastTickMs: () => number): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
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
