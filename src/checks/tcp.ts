import { z } from 'zod';
import { duration } from '../config/fields.ts';

export const tcpOptions = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(1).max(65535),
    timeout: duration('5s').prefault('5s'),
  })
  .transform(({ timeout, ...rest }) => ({ ...rest, timeoutMs: timeout }));
export type TcpOptions = z.output<typeof tcpOptions>;
