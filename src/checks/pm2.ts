import { z } from 'zod';

/** `check: { pm2: {} }` (or `pm2:` with no value): the service's pm2 process is online. */
export const pm2Options = z
  .strictObject({})
  .nullable()
  .transform(() => ({}));
export type Pm2Options = z.output<typeof pm2Options>;
