import { z } from 'zod';
import { duration } from '../config/fields.ts';

export const httpOptions = z
  .strictObject({
    url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
    expectStatus: z.number().int().min(100).max(599).default(200),
    timeout: duration('5s').prefault('5s'),
    bodyIncludes: z.string().optional(),
  })
  .transform(({ timeout, ...rest }) => ({ ...rest, timeoutMs: timeout }));
export type HttpOptions = z.output<typeof httpOptions>;
