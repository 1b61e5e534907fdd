import { Counter, Gauge, type Registry } from 'prom-client';
import type { Clock } from '../lib/clock.ts';
import { describeError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { Part } from '../lib/part.ts';
import { createScrubber } from '../lib/redact.ts';
import { every } from '../scheduler/every.ts';

export interface HeartbeatOptions {
  /** `heartbeat.url`: an outside dead man's switch (healthchecks.io, Uptime Kuma push…). */
  url: string;
  /** Whether the daemon is healthy right now (the same answer as /healthz). */
  isHealthy(): boolean;
  clock: Clock;
  log: Logger;
  metrics: Registry;
  intervalMs?: number;
  timeoutMs?: number;
}

/**
 * Pings `heartbeat.url` once a cycle while the daemon is healthy, so silence at the other end means
 * warden or its host is gone. A failed ping is logged (once per streak at warn) and counted in
 * /metrics; it never opens an incident, because alerting about the watcher's watcher loops.
 */
export function createHeartbeat(options: HeartbeatOptions): Part {
  const { url, clock } = options;
  const log = options.log.child({ part: 'heartbeat' });
  const timeoutMs = options.timeoutMs ?? 10_000;
  // the URL is the secret of a ping service: only its host is ever logged
  const scrub = createScrubber([url, new URL(url).pathname]);
  const failures = new Counter({
    name: 'warden_heartbeat_failures_total',
    help: 'Heartbeat pings to heartbeat.url that failed.',
    registers: [options.metrics],
  });
  const lastOk = new Gauge({
    name: 'warden_heartbeat_last_success_timestamp_seconds',
    help: 'When a heartbeat ping last succeeded (unix seconds; 0 before the first).',
    registers: [options.metrics],
  });
  lastOk.set(0);
  let streak = 0;

  return every({
    name: 'heartbeat',
    intervalMs: options.intervalMs ?? 60_000,
    clock,
    log,
    run: async (signal) => {
      if (!options.isHealthy()) return;
      try {
        const response = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) });
        await response.body?.cancel();
        if (!response.ok) throw new Error(`answered ${response.status}`);
        if (streak > 0) log.info({ host: new URL(url).host, after: streak }, 'heartbeat delivered again');
        streak = 0;
        lastOk.set(clock.now() / 1000);
      } catch (err) {
        if (signal.aborted) return;
        streak += 1;
        failures.inc();
        const fields = { host: new URL(url).host, failures: streak, reason: scrub(describeError(err)) };
        if (streak === 1) log.warn(fields, 'heartbeat ping failed');
        else log.debug(fields, 'heartbeat ping failed again');
      }
    },
  });
}
