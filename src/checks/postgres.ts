import { z } from 'zod';
import { duration, postgresUrl } from '../config/fields.ts';

export const postgresOptions = z
  .strictObject({
    url: postgresUrl,
    timeout: duration('5s').prefault('5s'),
    maxLatency: duration('1s').prefault('1s'),
  })
  .transform(({ url, timeout, maxLatency }) => ({
    url,
    timeoutMs: timeout,
    maxLatencyMs: maxLatency,
  }));
export type PostgresOptions = z.output<typeof postgresOptions>;
