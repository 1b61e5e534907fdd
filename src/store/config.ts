import path from 'node:path';
import { z } from 'zod';
import type { SchemaContext } from '../config/context.ts';

/** `store`: warden's own state; a relative sqlite path is resolved against the config file's folder. */
export function storeSchema(context: SchemaContext) {
  const url = z
    .string()
    .regex(/^(sqlite:.+|postgres(ql)?:\/\/\S+)$/, 'must be sqlite:PATH or postgres://… (e.g. sqlite:./data/warden.db)')
    .transform((text) =>
      text.startsWith('sqlite:') ? `sqlite:${path.resolve(context.baseDir, text.slice(7))}` : text,
    );
  return z.strictObject({ url: url.default(`sqlite:${path.resolve(context.baseDir, 'data/warden.db')}`) }).prefault({});
}
