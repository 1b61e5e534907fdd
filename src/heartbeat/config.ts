import { z } from 'zod';

/** `heartbeat`: an optional URL pinged after every healthy cycle (a dead man's switch outside the host). */
export const heartbeatSchema = z
  .strictObject({ url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional() })
  .prefault({})
  .transform(({ url }) => ({ url: url ?? null }));
