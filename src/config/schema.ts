import { z } from 'zod';
import { telegramSchema, runbooksSchema } from '../alerts/config.ts';
import { backupsSchema } from '../backups/config.ts';
import { digestSchema } from '../bot/config.ts';
import { diskConfig } from '../disk/config.ts';
import { fleetSchema } from '../fleet/config.ts';
import type { RegisteredCheckKind } from '../checks/types.ts';
import { heartbeatSchema } from '../heartbeat/config.ts';
import { hostSchema } from '../host/config.ts';
import { httpSchema } from '../http/config.ts';
import { logsConfig } from '../logs/config.ts';
import { storeSchema } from '../store/config.ts';
import type { SchemaContext } from './context.ts';
import { isValidTimezone } from './fields.ts';
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
      disk: diskConfig(context),
      logs: logsConfig(context),
      backups: backupsSchema(context),
      digest: digestSchema,
      heartbeat: heartbeatSchema,
      fleet: fleetSchema,
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
