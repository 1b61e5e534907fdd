import { z } from 'zod';
import { restartSchema } from '../actions/restart/config.ts';
import type { RestartStrategy } from '../actions/restart/index.ts';
import { checkSchema, type CheckConfig } from '../checks/config.ts';
import type { Severity } from '../incidents/types.ts';
import type { RegisteredCheckKind } from '../checks/types.ts';
import { duration, severity } from './fields.ts';

// A service spans checks, restarts and supervision, and actions/ and supervision/ both read its
// config: so its section is composed here from the checks and restart fragments.
function serviceSchema(checkKinds?: Record<string, RegisteredCheckKind>) {
  return z.strictObject({
    pm2: z.string().min(1).optional(),
    check: checkSchema(checkKinds),
    interval: duration('15s').prefault('15s'),
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
