import { z } from 'zod';

const listen = z.string().transform((text, ctx) => {
  const match = /^(\[[0-9a-f:]+\]|[\w.-]+):(\d{1,5})$/i.exec(text);
  const port = Number(match?.[2]);
  if (!match || port > 65535) {
    ctx.addIssue({ code: 'custom', message: 'must be host:port like 127.0.0.1:9464' });
    return z.NEVER;
  }
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
});

/** `http`: where /healthz and /metrics listen. */
export const httpSchema = z
  .strictObject({
    listen: listen.prefault('127.0.0.1:9464'),
    /** Bearer token /metrics requires when set; from the environment like every secret. */
    token: z.string().optional(),
  })
  .prefault({})
  .transform(({ token, ...rest }) => ({ ...rest, token: token?.trim() || null }));
