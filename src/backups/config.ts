import { z } from 'zod';
import { filePath, type SchemaContext } from '../config/context.ts';
import {
  boundedDuration,
  cronPattern,
  duration,
  longestTimerMs,
  postgresUrl,
  size,
  writablePath,
} from '../config/fields.ts';

/** Words `verifySchedule` accepts besides a cron pattern: restore rehearsals at 04:30, after the nightly backups. */
const scheduleWords: Record<string, string> = {
  daily: '0 30 4 * * *',
  weekly: '0 30 4 * * 0',
  monthly: '0 30 4 1 * *',
};

const verifySchedule = z
  .string({ error: 'must be daily, weekly, monthly or a cron pattern like 0 30 4 * * 0' })
  .transform((text) => scheduleWords[text] ?? text)
  .pipe(cronPattern);

export const backupKinds = ['postgres', 'files', 'warden'] as const;
export type BackupKind = (typeof backupKinds)[number];

const target = (file: ReturnType<typeof filePath>) =>
  z
    .strictObject({
      postgres: postgresUrl.optional(),
      files: z.array(file).min(1).optional(),
      /** `warden: true` backs up warden's own SQLite store. */
      warden: z.literal(true, { error: 'must be true (backs up warden’s own SQLite store)' }).optional(),
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
      verifySchedule: verifySchedule.prefault('weekly'),
      maxAge: duration('26h').prefault('26h'),
      maxRestoreAge: duration('8d').prefault('8d'),
      minFreeSpace: size('1GB').optional(),
      timeout: boundedDuration('6h', { min: 1000, max: longestTimerMs }).prefault('6h'),
      /** Extra sanity queries run against the scratch copy during a restore rehearsal (postgres only). */
      queries: z.array(z.string().min(1)).default([]),
    })
    .superRefine((t, ctx) => {
      const kinds = backupKinds.filter((k) => t[k] !== undefined);
      if (kinds.length !== 1) {
        ctx.addIssue({ code: 'custom', message: 'must set exactly one of postgres, files or warden' });
      }
    })
    .transform(({ maxAge, maxRestoreAge, minFreeSpace, timeout, postgres, files, warden: _warden, ...rest }) => ({
      ...rest,
      kind: (postgres !== undefined ? 'postgres' : files !== undefined ? 'files' : 'warden') as BackupKind,
      postgres: postgres ?? null,
      files: files ?? null,
      maxAgeMs: maxAge,
      maxRestoreAgeMs: maxRestoreAge,
      minFreeBytes: minFreeSpace ?? null,
      timeoutMs: timeout,
    }));

/** The `backups` section; relative paths resolve against the config file's folder. */
export const backupsSchema = (context: SchemaContext) =>
  z
    .strictObject({
      dir: writablePath(context).prefault('backups'),
      targets: z
        .record(z.string().regex(/^[\w.-]+$/, 'target names use letters, digits, . _ -'), target(filePath(context)))
        .default({}),
    })
    .prefault({});

export type BackupsConfig = z.output<ReturnType<typeof backupsSchema>>;
export type BackupTargetConfig = BackupsConfig['targets'][string];
