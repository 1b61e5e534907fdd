import { z } from 'zod';
import { restartSchema } from '../actions/restart/config.ts';
import type { RestartStrategy } from '../actions/restart/index.ts';
import { checkSchema, type CheckConfig } from '../checks/config.ts';
import type { Severity } from '../incidents/types.ts';
import type { RegisteredCheckKind } from '../checks/types.ts';
import { boundedDuration, longestTimerMs, pm2SelectorProblem, severity } from './fields.ts';

const pm2Name = z.string().superRefine((name, ctx) => {
  const problem = pm2SelectorProblem(name);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** Shorter than this, a check cannot even connect; the interval's floor keeps warden from a busy loop. */
const minCheckTimeoutMs = 100;

// A service spans checks, restarts and supervision, and actions/ and supervision/ both read its
// config: so its section is composed here from the checks and restart fragments.
function serviceSchema(checkKinds?: Record<string, RegisteredCheckKind>) {
  return z.strictObject({
    pm2: pm2Name.optional(),
    check: checkSchema(checkKinds),
    interval: boundedDuration('15s', { min: 1000, max: longestTimerMs }).prefault('15s'),
    failureThreshold: z.number().int().min(1).default(3),
    successThreshold: z.number().int().min(1).default(1),
    restart: restartSchema,
    dependsOn: z.array(z.string()).default([]),
    severity: severity.default('critical'),
  });
}

/** `services`: each service's check, thresholds and restart; `dependsOn` names other services, without cycles. */
export function servicesSchema(checkKinds?: Record<string, RegisteredCheckKind>) {
  return z
    .record(z.string().regex(/^[\w.-]+$/, 'service names use letters, digits, . _ -'), serviceSchema(checkKinds))
    .default({})
    .superRefine((services, ctx) => {
      const known = Object.keys(services);
      for (const [name, svc] of Object.entries(services)) {
        for (const [i, parent] of svc.dependsOn.entries()) {
          if (!Object.hasOwn(services, parent) || parent === name) {
            ctx.addIssue({
              code: 'custom',
              path: [name, 'dependsOn', i],
              message: `must name another service (known: ${known.join(', ') || 'none'})`,
            });
          }
        }
        checkTimingAndPm2Name(name, svc, ctx);
      }
      const cycle = findDependencyCycle(services);
      if (cycle)
        ctx.addIssue({
          code: 'custom',
          path: [cycle[0]!, 'dependsOn'],
          message: `forms a cycle: ${cycle.join(' → ')}`,
        });
    })
    .transform((services) =>
      Object.fromEntries(Object.entries(services).map(([name, svc]) => [name, toServiceConfig(name, svc)])),
    );
}

/** Rules across a service's keys; refinements also run when a part failed, so each part is guarded. */
function checkTimingAndPm2Name(
  name: string,
  svc: z.output<ReturnType<typeof serviceSchema>>,
  ctx: z.RefinementCtx,
): void {
  const options: object | undefined = svc.check?.options;
  const timeoutMs = typeof options === 'object' && 'timeoutMs' in options ? Number(options.timeoutMs) : null;
  if (timeoutMs !== null && (timeoutMs < minCheckTimeoutMs || timeoutMs >= svc.interval)) {
    ctx.addIssue({
      code: 'custom',
      path: [name, 'check', svc.check.kind, 'timeout'],
      message: `must be at least ${minCheckTimeoutMs}ms and shorter than the interval (${svc.interval}ms)`,
    });
  }
  // pm2: defaults to the service name, which must then name one app too
  const defaulted = svc.pm2 === undefined && (svc.restart?.strategy === 'pm2' || svc.check?.kind === 'pm2');
  const selector = defaulted ? pm2SelectorProblem(name) : null;
  if (selector) {
    ctx.addIssue({
      code: 'custom',
      path: [name],
      message: `as the pm2 app name (pm2: defaults to the service name) ${selector}: set pm2: to the app's name`,
    });
  }
}

function toServiceConfig(name: string, svc: z.output<ReturnType<typeof serviceSchema>>): ServiceConfig {
  const strategy: RestartStrategy =
    svc.restart.strategy ?? (svc.pm2 !== undefined || svc.check.kind === 'pm2' ? 'pm2' : 'none');
  return {
    name,
    pm2: svc.pm2 ?? (strategy === 'pm2' || svc.check.kind === 'pm2' ? name : null),
    check: svc.check,
    intervalMs: svc.interval,
    failureThreshold: svc.failureThreshold,
    successThreshold: svc.successThreshold,
    restart: {
      strategy,
      command: svc.restart.command ?? null,
      backoffInitialMs: svc.restart.backoff.initialMs,
      backoffMaxMs: svc.restart.backoff.maxMs,
      maxRestarts: svc.restart.maxRestarts,
      windowMs: svc.restart.window,
    },
    dependsOn: svc.dependsOn,
    severity: svc.severity,
  };
}

/** One service as the rest of warden sees it: units parsed, defaults chosen. */
export interface ServiceConfig {
  name: string;
  /** The pm2 app name, or null when the service is not managed by pm2. */
  pm2: string | null;
  check: CheckConfig;
  intervalMs: number;
  failureThreshold: number;
  successThreshold: number;
  restart: {
    strategy: RestartStrategy;
    command: string | null;
    backoffInitialMs: number;
    backoffMaxMs: number;
    maxRestarts: number;
    windowMs: number;
  };
  dependsOn: string[];
  severity: Severity;
}

function findDependencyCycle(services: Record<string, { dependsOn: string[] }>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): string[] | undefined => {
    if (state.get(name) === 'visiting') return [...trail.slice(trail.indexOf(name)), name];
    if (state.get(name) === 'done' || !services[name]) return undefined;
    state.set(name, 'visiting');
    for (const parent of services[name].dependsOn) {
      const cycle = visit(parent, [...trail, name]);
      if (cycle) return cycle;
    }
    state.set(name, 'done');
    return undefined;
  };
  for (const name of Object.keys(services)) {
    const cycle = visit(name, []);
    if (cycle) return cycle;
  }
  return undefined;
}
