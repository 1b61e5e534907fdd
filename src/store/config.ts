import path from 'node:path';
import { z } from 'zod';
import type { SchemaContext } from '../config/context.ts';
import { duration, postgresUrlProblem, pseudoFilesystemProblem } from '../config/fields.ts';

/** `store`: warden's own state; a relative sqlite path is resolved against the config file's folder. */
export function storeSchema(context: SchemaContext) {
  const url = z
    .string()
    .regex(/^(sqlite:.+|postgres(ql)?:\/\/\S+)$/, 'must be sqlite:PATH or postgres://… (e.g. sqlite:./data/warden.db)')
    .transform((text) => (text.startsWith('sqlite:') ? `sqlite:${path.resolve(context.baseDir, text.slice(7))}` : text))
    .superRefine((text, ctx) => {
      // mkdir under /proc never returns; a URL the driver cannot parse would fail only at connect
      const problem = text.startsWith('sqlite:')
        ? pseudoFilesystemProblem(text.slice('sqlite:'.length))
        : postgresUrlProblem(text);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
  return z
    .strictObject({
      url: url.default(`sqlite:${path.resolve(context.baseDir, 'data/warden.db')}`),
      // resolved incidents, delivered alerts and ended runs older than this are pruned daily
      retain: duration('90d').prefault('90d'),
    })
    .prefault({})
    .transform(({ retain, ...rest }) => ({ ...rest, retainMs: retain }));
}
