import { z } from 'zod';
import type { SchemaContext } from './context.ts';
import { size, writablePath } from './fields.ts';

/** `log`: warden's own log, on stdout and in a file rolled by size and day. */
export function logSchema(context: SchemaContext) {
  return z
    .strictObject({
      level: z
        .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal'], {
          error: 'must be one of: trace, debug, info, warn, error, fatal',
        })
        .default('info'),
      stdout: z.enum(['pretty', 'json'], { error: 'must be pretty or json' }).optional(),
      file: writablePath(context).prefault('logs/warden.log'),
      maxSize: size('10MB').prefault('10MB'),
      keep: z.number().int().min(1).default(14),
    })
    .prefault({})
    .transform(({ maxSize, keep, stdout, ...rest }) => ({
      ...rest,
      stdout: stdout ?? null,
      maxFileBytes: maxSize,
      keepFiles: keep,
    }));
}
