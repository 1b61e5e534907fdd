import path from 'node:path';
import { z } from 'zod';
import { checkOptions } from '../checks/options.ts';
import { topicNames } from '../incidents/topics.ts';
import {
  cronPattern,
  duration,
  isValidTimezone,
  postgresUrl,
  rate,
  ratio,
  severity,
  size,
  timeRange,
} from './fields.ts';

export const restartStrategies = ['pm2', 'command', 'none'] as const;
export type RestartStrategy = (typeof restartStrategies)[number];

type CheckKindName = keyof typeof checkOptions;
const checkKindNames = Object.keys(checkOptions) as CheckKindName[];

/** A service's check: which kind, with that kind's parsed options. */
export type CheckConfig = {
  [K in CheckKindName]: {
    kind: K;
    options: z.output<(typeof checkOptions)[K]>;
  };
}[CheckKindName];

export interface SchemaContext {
  /** Relative paths in the file are resolved against the folder that holds the config file. */
  baseDir: string;
  hostname: string;
  systemTimezone: string;
}

const checkShape = Object.fromEntries(checkKindNames.map((name) => [name, checkOptions[name].optional()])) as {
  [K in CheckKindName]: z.ZodOptional<(typeof checkOptions)[K]>;
};

const check = z
  .strictObject(checkShape, {
    error: `must name one check kind: ${checkKindNames.join(', ')}`,
  })
  .transform((value, ctx): CheckConfig => {
    const kinds = checkKindNames.filter((name) => value[name] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `must name exactly one check kind: ${checkKindNames.join(', ')}`,
      });
      return z.NEVER;
    }
    const kind = kinds[0]!;
    return { kind, options: value[kind] } as CheckConfig;
  });

const backoff = z.string({ error: 'must be a range like 10s..5m' }).transform((text, ctx) => {
  const [low, high] = text.split('..').map((part) => duration('10s').safeParse(part.trim()).data);
  if (low === undefined || high === undefined || low > high) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be a range like 10s..5m (initial..maximum delay)',
    });
    return z.NEVER;
  }
  return { initialMs: low, maxMs: high };
});

const restart = z
  .strictObject({
    strategy: z
      .enum(restartStrategies, {
        error: `must be one of: ${restartStrategies.join(', ')}`,
      })
      .optional(),
    command: z.string().min(1).optional(),
    backoff: backoff.prefault('10s..5m'),
    maxRestarts: z.number().int().min(1).default(5),
    window: duration('30m').prefault('30m'),
  })
  .prefault({});

const service = z.strictObject({
  pm2: z.string().min(1).optional(),
  check,
  interval: duration('15s').prefault('15s'),
  failureThreshold: z.number().int().min(1).default(3),
  successThreshold: z.number().int().min(1).default(1),
  restart,
  dependsOn: z.array(z.string()).default([]),
  severity: severity.default('critical'),
});

export function configSchema(context: SchemaContext) {
  const file = z
    .string()
    .min(1)
    .transform((p) => path.resolve(context.baseDir, p));
  const storeUrl = z
    .string()
    .regex(/^(sqlite:.+|postgres(ql)?:\/\/\S+)$/, 'must be sqlite:PATH or postgres://… (e.g. sqlite:./data/warden.db)')
    .transform((url) => (url.startsWith('sqlite:') ? `sqlite:${path.resolve(context.baseDir, url.slice(7))}` : url));

  const chat = z.strictObject({
    id: z
      .union([
        z.number().int(),
        z.string().regex(/^(-?\d+|@\w+)$/, 'must be a chat id like -1001234567890 or @channel'),
      ])
      .transform(String),
    thread: z.number().int().positive().optional(),
    minSeverity: severity.default('info'),
  });

  const telegram = z
    .strictObject({
      token: z.string().optional(),
      apiRoot: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default('https://api.telegram.org'),
      chats: z.array(chat).default([]),
      admins: z.array(z.number().int()).default([]),
      locale: z.enum(['en', 'ko'], { error: 'must be en or ko' }).default('en'),
      quietHours: timeRange.optional(),
      repeat: duration('1h').prefault('1h'),
    })
    .prefault({})
    .transform(({ token, repeat, ...rest }) => ({
      ...rest,
      token: token?.trim() || null,
      repeatMs: repeat,
    }));

  const logPattern = z
    .strictObject({
      match: z.string().superRefine((source, ctx) => {
        try {
          new RegExp(source);
        } catch (err) {
          ctx.addIssue({
            code: 'custom',
            message: `must be a regular expression (${(err as Error).message})`,
          });
        }
      }),
      threshold: z.number().int().min(1).default(1),
      window: duration('5m').prefault('5m'),
      severity: severity.default('warning'),
    })
    .transform(({ window, ...rest }) => ({ ...rest, windowMs: window }));

  const backupTarget = z
    .strictObject({
      postgres: postgresUrl.optional(),
      files: z.array(file).min(1).optional(),
      schedule: cronPattern.default('0 0 3 * * *'),
      keep: z
        .strictObject({
          last: z.number().int().min(1).default(7),
          daily: z.number().int().min(0).default(7),
          weekly: z.number().int().min(0).default(4),
          monthly: z.number().int().min(0).default(6),
        })
        .prefault({}),
      verify: z.enum(['list', 'restore'], { error: 'must be list or restore' }).default('list'),
      maxAge: duration('26h').prefault('26h'),
      minFreeSpace: size('1GB').optional(),
    })
    .superRefine((target, ctx) => {
      if ((target.postgres === undefined) === (target.files === undefined)) {
        ctx.addIssue({
          code: 'custom',
          message: 'must set exactly one of postgres or files',
        });
      }
    })
    .transform(({ maxAge, minFreeSpace, postgres, files, ...rest }) => ({
      ...rest,
      postgres: postgres ?? null,
      files: files ?? null,
      maxAgeMs: maxAge,
      minFreeBytes: minFreeSpace ?? null,
    }));

  return z
    .strictObject({
      host: z.string().min(1).default(context.hostname),
      timezone: z
        .string()
        .refine(isValidTimezone, 'must be an IANA timezone like Europe/Berlin or Asia/Seoul')
        .default(context.systemTimezone),
      store: z
        .strictObject({
          url: storeUrl.default(`sqlite:${path.resolve(context.baseDir, 'data/warden.db')}`),
        })
        .prefault({}),
      http: z
        .strictObject({
          listen: z
            .string()
            .transform((text, ctx) => {
              const match = /^(\[[0-9a-f:]+\]|[\w.-]+):(\d{1,5})$/i.exec(text);
              const port = Number(match?.[2]);
              if (!match || port > 65535) {
                ctx.addIssue({
                  code: 'custom',
                  message: 'must be host:port like 127.0.0.1:9464',
                });
                return z.NEVER;
              }
              return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
            })
            .prefault('127.0.0.1:9464'),
        })
        .prefault({}),
      log: z
        .strictObject({
          level: z
            .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal'], {
              error: 'must be one of: trace, debug, info, warn, error, fatal',
            })
            .default('info'),
          stdout: z.enum(['pretty', 'json'], { error: 'must be pretty or json' }).optional(),
          file: file.prefault('logs/warden.log'),
          maxSize: size('10MB').prefault('10MB'),
          keep: z.number().int().min(1).default(14),
        })
        .prefault({})
        .transform(({ maxSize, keep, stdout, ...rest }) => ({
          ...rest,
          stdout: stdout ?? null,
          maxFileBytes: maxSize,
          keepFiles: keep,
        })),
      telegram,
      runbooks: z
        .strictObject({
          baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
          links: z
            .partialRecord(
              z.enum(topicNames, {
                error: `must be a topic: ${topicNames.join(', ')}`,
              }),
              z.url({ error: 'must be a URL' }),
            )
            .default({}),
        })
        .prefault({}),
      services: z
        .record(z.string().regex(/^[\w.-]+$/, 'service names use letters, digits, . _ -'), service)
        .default({}),
      disk: z
        .strictObject({
          paths: z.array(file).optional(),
          warn: ratio('80%').prefault('80%'),
          critical: ratio('90%').prefault('90%'),
          interval: duration('60s').prefault('60s'),
          forecast: duration('24h').prefault('24h'),
        })
        .prefault({})
        .transform(({ paths, warn, critical, interval, forecast }) => ({
          paths: paths ?? null,
          warnRatio: warn,
          criticalRatio: critical,
          intervalMs: interval,
          forecastMs: forecast,
        })),
      logs: z
        .strictObject({
          watch: z.array(file).prefault(['logs/*.log']),
          maxSize: size('100MB').prefault('100MB'),
          growthAlert: rate.optional(),
          patterns: z.array(logPattern).default([]),
          rotate: z
            .strictObject({
              compress: z.boolean().default(true),
              mode: z
                .enum(['rename', 'copytruncate'], {
                  error: 'must be rename or copytruncate',
                })
                .default('rename'),
            })
            .prefault({}),
          retain: z
            .strictObject({
              count: z.number().int().min(0).default(10),
              maxAge: duration('14d').prefault('14d'),
              maxTotal: size('1GB').optional(),
            })
            .prefault({})
            .transform(({ count, maxAge, maxTotal }) => ({
              count,
              maxAgeMs: maxAge,
              maxTotalBytes: maxTotal ?? null,
            })),
          pruneSchedule: cronPattern.default('0 30 3 * * *'),
        })
        .prefault({})
        .transform(({ maxSize, growthAlert, ...rest }) => ({
          ...rest,
          maxSizeBytes: maxSize,
          growthAlert: growthAlert ? { bytes: growthAlert.bytes, perMs: growthAlert.perMs } : null,
        })),
      backups: z
        .strictObject({
          dir: file.prefault('backups'),
          targets: z
            .record(z.string().regex(/^[\w.-]+$/, 'target names use letters, digits, . _ -'), backupTarget)
            .default({}),
        })
        .prefault({}),
      digest: z.strictObject({ schedule: cronPattern.default('0 0 9 * * *') }).prefault({}),
      heartbeat: z
        .strictObject({
          url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
        })
        .prefault({}),
    })
    .superRefine((config, ctx) => {
      for (const [name, svc] of Object.entries(config.services)) {
        for (const [i, parent] of svc.dependsOn.entries()) {
          if (!Object.hasOwn(config.services, parent) || parent === name) {
            ctx.addIssue({
              code: 'custom',
              path: ['services', name, 'dependsOn', i],
              message: `must name another service (known: ${Object.keys(config.services).join(', ') || 'none'})`,
            });
          }
        }
        if (svc.restart.strategy === 'command' && !svc.restart.command) {
          ctx.addIssue({
            code: 'custom',
            path: ['services', name, 'restart', 'command'],
            message: 'is required when strategy is command',
          });
        }
      }
      const cycle = findDependencyCycle(config.services);
      if (cycle)
        ctx.addIssue({
          code: 'custom',
          path: ['services', cycle[0]!, 'dependsOn'],
          message: `forms a cycle: ${cycle.join(' → ')}`,
        });
      if (config.disk.warnRatio >= config.disk.criticalRatio) {
        ctx.addIssue({
          code: 'custom',
          path: ['disk', 'warn'],
          message: 'must be below disk.critical',
        });
      }
    })
    .transform((raw) => ({
      ...raw,
      services: Object.fromEntries(
        Object.entries(raw.services).map(([name, svc]) => [name, toServiceConfig(name, svc)]),
      ),
      disk: { ...raw.disk, paths: raw.disk.paths ?? ['/', raw.backups.dir] },
      heartbeat: { url: raw.heartbeat.url ?? null },
      runbooks: {
        baseUrl: raw.runbooks.baseUrl ?? null,
        links: raw.runbooks.links,
      },
    }));
}

function toServiceConfig(name: string, svc: z.output<typeof service>) {
  const strategy: RestartStrategy =
    svc.restart.strategy ?? (svc.pm2 !== undefined || svc.check.kind === 'pm2' ? 'pm2' : 'none');
  return {
    name,
    /** The pm2 app name, or null when the service is not managed by pm2. */
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

export type Config = z.output<ReturnType<typeof configSchema>>;
export type ServiceConfig = Config['services'][string];
