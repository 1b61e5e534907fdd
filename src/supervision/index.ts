import type { Config, ServiceConfig } from '../config/schema.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { Part } from '../lib/part.ts';
import type { Store } from '../store/db.ts';
import { createCheckResultWriter } from './check-result-writer.ts';
import { Dependencies } from './dependencies.ts';
import { createErrorLogEvidence } from './error-log-evidence.ts';
import { createHostHealth, type HostHealthOptions } from '../host/health.ts';
import { createPm2Client, pm2Home } from '../pm2/client.ts';
import type { Pm2Client } from '../pm2/types.ts';
import { createPm2Events } from './pm2-events.ts';
import { createServiceMonitor, type ServiceMonitor } from './service-monitor.ts';
import type { IncidentSink } from '../incidents/types.ts';

export interface SupervisionOptions {
  config: Config;
  store: Store;
  incidents: IncidentSink;
  /** From `pm2ClientFor`: null when no service is pm2-managed. */
  pm2: Pm2Client | null;
  clock: Clock;
  log: Logger;
  tuning?: SupervisionTuning;
  /** Masks secrets in check details before they are stored. */
  scrub?: (text: string) => string;
  /** Each check run's duration, for /metrics. */
  onCheck?(service: ServiceConfig, latencyMs: number): void;
}

/** For tests and benchmarks; production uses the defaults. */
export interface SupervisionTuning {
  /** How long an app must stay online after a crash before its crash incidents resolve [60s]. */
  stableMs?: number;
  jitterRatio?: number;
  pm2ProbeIntervalMs?: number;
  hostHealth?: false | Partial<Omit<HostHealthOptions, 'incidents' | 'clock' | 'log'>>;
}

export interface Supervision {
  /** In start order: the check-result writer, pm2 events, one monitor per service, host health. */
  parts: Part[];
  monitors: Map<string, ServiceMonitor>;
}

/**
 * The pm2 connection, only when some service is pm2-managed: a config without one never
 * touches pm2 (importing pm2 alone creates folders in PM2_HOME).
 */
export function pm2ClientFor(
  config: Config,
  deps: { env: NodeJS.ProcessEnv; log: Logger; clock: Clock; tuning?: SupervisionTuning },
): Pm2Client | null {
  if (!Object.values(config.services).some((s) => s.pm2 !== null)) return null;
  const { env, log, clock, tuning } = deps;
  return createPm2Client({ home: pm2Home(env), log, clock, probeIntervalMs: tuning?.pm2ProbeIntervalMs });
}

/** Service supervision built from the config: checks with thresholds, pm2 crash events, host health. */
export function createSupervision(options: SupervisionOptions): Supervision {
  const { config, store, incidents, pm2, clock, log, tuning } = options;
  const services = Object.values(config.services);
  const dependencies = new Dependencies(config.services);
  const results = createCheckResultWriter({ store, clock, log, scrub: options.scrub, host: config.host });
  // monitors mark each pass, and both monitors and pm2 events read what came after it
  const evidence = createErrorLogEvidence(pm2);
  const monitors = new Map(
    services.map((service) => [
      service.name,
      createServiceMonitor({
        service,
        results: {
          push: (result) => {
            results.push(result);
            options.onCheck?.(service, result.latencyMs);
          },
        },
        incidents,
        dependencies,
        clock,
        log,
        pm2: service.pm2 !== null ? pm2 : null,
        evidence,
        jitterRatio: tuning?.jitterRatio,
      }),
    ]),
  );
  // the writer starts first and stops last, so the monitors' final results are stored
  const parts: Part[] = [results];
  if (pm2)
    parts.push(
      createPm2Events({
        client: pm2,
        services: services.filter((s) => s.pm2 !== null),
        incidents,
        dependencies,
        evidence,
        clock,
        log,
        stableMs: tuning?.stableMs,
      }),
    );
  parts.push(...monitors.values());
  if (tuning?.hostHealth !== false)
    parts.push(createHostHealth({ incidents, clock, log, ...config.hostHealth, ...tuning?.hostHealth }));
  return { parts, monitors };
}
