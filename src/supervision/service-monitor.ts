import { runCheck } from '../checks/index.ts';
import type { CheckResult } from '../checks/types.ts';
import type { Pm2Reader } from '../pm2/types.ts';
import type { ServiceConfig } from '../config/schema.ts';
import type { Clock } from '../lib/clock.ts';
import { linkedSignal } from '../lib/linked-signal.ts';
import type { Logger } from '../lib/logger.ts';
import type { Part } from '../lib/part.ts';
import { every } from '../scheduler/every.ts';
import type { CheckResultWriter } from './check-result-writer.ts';
import { downIncidentKey, type Dependencies } from './dependencies.ts';
import type { IncidentSink } from '../incidents/types.ts';
import type { ErrorLogEvidence } from './error-log-evidence.ts';
import type { ServiceHealth } from './types.ts';

/**
 * One service's check loop: runs the check at its interval (with jitter, never two at once),
 * applies failureThreshold/successThreshold, hands the results to the writer, and observes
 * `service-down` (or `db-down` for a postgres check). It only reports: the restart policy hears
 * the incident change and decides.
 * @example const api = createServiceMonitor({ service, results, incidents, dependencies, clock, log, pm2: client })
 */
export interface ServiceMonitor extends Part {
  readonly service: ServiceConfig;
  readonly incidentKey: string;
  health(): ServiceHealth;
  lastResult(): CheckResult | null;
  /** Runs the check now, or joins the run already in flight; resolves once its consequences are handled. */
  checkNow(signal?: AbortSignal): Promise<CheckResult>;
  /** The same run, resolved as soon as the check itself has a result (before its report). */
  probeNow(signal?: AbortSignal): Promise<CheckResult>;
}

export interface ServiceMonitorOptions {
  service: ServiceConfig;
  /** Where results go (bounded history in the store). */
  results: Pick<CheckResultWriter, 'push'>;
  incidents: IncidentSink;
  dependencies: Dependencies;
  clock: Clock;
  log: Logger;
  /** The pm2 connection when the service is pm2-managed. */
  pm2: (Pm2Reader & { attached(): boolean; readonly home: string }) | null;
  /** Lines that explain a failure when the check itself has none (the app's pm2 error log). */
  evidence?: ErrorLogEvidence;
  jitterRatio?: number;
}

export function createServiceMonitor(options: ServiceMonitorOptions): ServiceMonitor {
  const { service, results, incidents, dependencies, clock, pm2 } = options;
  const key = downIncidentKey(service);
  const log = options.log.child({ part: 'monitor', service: service.name });
  const controller = new AbortController();
  const target = { service: service.name, pm2App: service.pm2, pm2 };
  let health: ServiceHealth = 'unknown';
  let last: CheckResult | null = null;
  let failures = 0;
  /** When the current run of failed checks began: the incident says "failing since" then. */
  let failingSince = 0;
  let successes = 0;
  let lastOkAt: number | null = null;
  let inFlight: { done: Promise<CheckResult>; probed: Promise<CheckResult> } | undefined;

  const probe = async (signal: AbortSignal): Promise<CheckResult> => {
    if (pm2 && service.pm2 !== null && !pm2.attached())
      return { ok: false, detail: `pm2 daemon not running (PM2_HOME=${pm2.home})`, latencyMs: 0 };
    await options.evidence?.beforeCheck(service);
    return runCheck(service.check, signal, target);
  };

  const onSuccess = async (result: CheckResult): Promise<void> => {
    successes += 1;
    failures = 0;
    lastOkAt = clock.now();
    options.evidence?.healthy(service);
    if (health === 'healthy' || (health === 'down' && successes < service.successThreshold)) return;
    // also after 'unknown': an incident may be left open by an earlier run of warden. Health
    // changes only once it is stored, so a store hiccup is retried on the next check.
    await incidents.observe(key, { ok: true, detail: `recovered: ${result.detail}` });
    if (health === 'down') log.info({ key, detail: result.detail }, 'service recovered');
    health = 'healthy';
  };

  const onFailure = async (result: CheckResult, signal: AbortSignal, at: number): Promise<void> => {
    if (failures === 0) failingSince = at;
    failures += 1;
    successes = 0;
    if (health !== 'down' && failures < service.failureThreshold) {
      health = 'failing';
      return;
    }
    const becameDown = health !== 'down';
    health = 'down';
    const parentKey = await dependencies.downParent(service.name, { confirm: becameDown, signal });
    // the failure began after the last pass, or at most one interval before the first failed check
    const since = lastOkAt ?? failingSince - service.intervalMs;
    const excerpt = result.excerpt ?? (await options.evidence?.excerpt(service, since)) ?? null;
    if (becameDown) log.warn({ key, detail: result.detail, parentKey, failures }, 'service down');
    await incidents.observe(key, {
      ok: false,
      detail: result.detail,
      excerpt,
      severity: service.severity,
      parentKey,
      since: failingSince,
    });
  };

  const runOnce = async (signal: AbortSignal, probed: (result: CheckResult) => void): Promise<CheckResult> => {
    const startedAt = clock.now();
    const result = await probe(signal);
    probed(result);
    if (signal.aborted) return result;
    last = result;
    results.push({
      service: service.name,
      at: clock.now(),
      ok: result.ok,
      detail: result.detail,
      latencyMs: result.latencyMs,
    });
    if (result.ok) await onSuccess(result);
    else await onFailure(result, signal, startedAt);
    return result;
  };

  const run = (signal?: AbortSignal): { done: Promise<CheckResult>; probed: Promise<CheckResult> } => {
    if (inFlight) return inFlight;
    const linked = linkedSignal([signal, controller.signal]);
    let markProbed: (result: CheckResult) => void = () => undefined;
    const probed = new Promise<CheckResult>((resolve) => (markProbed = resolve));
    const done = runOnce(linked.signal, markProbed).finally(() => {
      linked.dispose();
      inFlight = undefined;
    });
    // a run that failed after its probe already settled `probed`; one that failed before never will
    done.catch((err: unknown) => markProbed({ ok: false, detail: `check failed: ${String(err)}`, latencyMs: 0 }));
    inFlight = { done, probed };
    return inFlight;
  };
  const checkNow = (signal?: AbortSignal): Promise<CheckResult> => run(signal).done;
  const probeNow = (signal?: AbortSignal): Promise<CheckResult> => run(signal).probed;

  const loop = every({
    name: `check:${service.name}`,
    intervalMs: service.intervalMs,
    jitterRatio: options.jitterRatio ?? 0.1,
    clock,
    log,
    run: async (signal) => {
      await checkNow(signal);
    },
  });

  dependencies.register(service.name, {
    incidentKey: key,
    health: () => health,
    lastOk: () => last?.ok ?? null,
    // a child waits for the parent's check, not for the parent's own restart
    checkNow: probeNow,
  });

  let stopping: Promise<void> | undefined;
  return {
    name: `monitor:${service.name}`,
    service,
    incidentKey: key,
    health: () => health,
    lastResult: () => last,
    checkNow,
    probeNow,
    start: () => loop.start(),
    stop: () =>
      (stopping ??= (async () => {
        controller.abort(new Error(`monitor ${service.name} stopped`));
        await loop.stop();
        await inFlight?.done.catch(() => undefined);
      })()),
  };
}
