import { z } from 'zod';
import { duration } from '../config/fields.ts';

export const commandOptions = z
  .strictObject({
    run: z.string().min(1, 'must be a shell command'),
    timeout: duration('10s').prefault('10s'),
  })
  .transform(({ timeout, ...rest }) => ({ ...rest, timeoutMs: timeout }));
export type CommandOptions = z.output<typeof commandOptions>;
