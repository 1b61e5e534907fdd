import net from 'node:net';
import { z } from 'zod';
import { duration } from '../config/fields.ts';
import { describeError } from '../lib/errors.ts';
import { stopwatch } from './elapsed.ts';
import type { CheckKind, CheckResult } from './types.ts';

export const tcpOptions = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(1).max(65535),
    timeout: duration('5s').prefault('5s'),
  })
  .transform(({ timeout, ...rest }) => ({ ...rest, timeoutMs: timeout }));
export type TcpOptions = z.output<typeof tcpOptions>;

/** A TCP connection to host:port is accepted within the timeout. */
export function probeTcp(options: TcpOptions, signal: AbortSignal): Promise<CheckResult> {
  const elapsed = stopwatch();
  const label = `tcp ${options.host}:${options.port}`;
  return new Promise((resolve) => {
    const socket = net.connect({ host: options.host, port: options.port });
    const done = (ok: boolean, detail: string): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      const latencyMs = elapsed();
      resolve({ ok, detail: `${label}: ${ok ? `connected in ${latencyMs}ms` : detail}`, latencyMs });
    };
    const timer = setTimeout(() => done(false, `timed out after ${options.timeoutMs}ms`), options.timeoutMs);
    const onAbort = (): void => done(false, 'cancelled (warden is stopping)');
    socket.once('connect', () => done(true, ''));
    socket.once('error', (err) => done(false, describeError(err)));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

export const tcp = { options: tcpOptions, run: probeTcp } satisfies CheckKind<TcpOptions>;
