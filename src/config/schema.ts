import { z } from 'zod';
import { telegramSchema, runbooksSchema } from '../alerts/config.ts';
import { backupsSchema } from '../backups/config.ts';
import { digestSchema } from '../bot/config.ts';
import type { RegisteredCheckKind } from '../checks/types.ts';
import { heartbeatSchema } from '../heartbeat/config.ts';
import { hostSchema } from '../host/config.ts';
import { httpSchema } from '../http/config.ts';
import { storeSchema } from '../store/config.ts';
import { filePath, type SchemaContext } from './context.ts';
import {
  boundedDuration,
  cronPattern,
  duration,
  isValidTimezone,
  longestTimerMs,
  rate,
  ratio,
  severity,
  size,
} from './fields.ts';
import { logSchema } from './log.ts';
import { servicesSchema } from './services.ts';

export type { RestartStrategy } from '../actions/restart/index.ts';
export type { ServiceConfig } from './services.ts';

/** Registries the schema is built from; tests pass their own to add a kind. */
export interface SchemaRegistries {
  checkKinds?: Record<string, RegisteredCheckKind>;
}

/**
 * The whole config file: each section is its capability's fragment; this only composes them and
 * checks what spans sections.
 */
export function configSchema(context: SchemaContext, registries: SchemaRegistries = {}) {
  const file = filePath(context);

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

  return z
    .strictObject({
      host: hostSchema(context),
      timezone: z
        .string()
        .refine(isValidTimezone, 'must be an IANA timezone like Europe/Berlin or Asia/Seoul')
        .default(context.systemTimezone),
      store: storeSchema(context),
      http: httpSchema,
      log: logSchema(context),
      // dry-run messages name the variable an operator would set
      telegram: telegramSchema.transform((telegram) => ({
        ...telegram,
        tokenVariable: context.tokenVariable === undefined ? 'TELEGRAM_BOT_TOKEN' : context.tokenVariable,
      })),
      /** Environment variables whose values are masked like passwords, besides the ones named so. */
      redact: z
        .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be environment variable names like MY_API_KEY'))
        .default([]),
      runbooks: runbooksSchema,
      services: servicesSchema(registries.checkKinds),
      disk: z
        .strictObject({
          paths: z.array(file).optional(),
          warn: ratio('80%').prefault('80%'),
          critical: ratio('90%').prefault('90%'),
          interval: boundedDuration('60s', { min: 1000, max: longestTimerMs }).prefault('60s'),
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
      backups: backupsSchema(context),
      digest: digestSchema,
      heartbeat: heartbeatSchema,
    })
    .superRefine((config, ctx) => {
      if (config.disk.warnRatio >= config.disk.criticalRatio) {
        ctx.addIssue({
          code: 'custom',
          path: ['disk', 'warn'],
          message: 'must be below disk.critical',
        });
      }
    })
    .transform(({ host, ...raw }) => ({
      ...raw,
      /** The name shown in every alert. */
      host: host.name,
      hostHealth: host.health,
      disk: { ...raw.disk, paths: raw.disk.paths ?? ['/', raw.backups.dir] },
    }));
}

export type Config = z.output<ReturnType<typeof configSchema>>;
