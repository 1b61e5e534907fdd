import { z } from 'zod';
import { duration, postgresUrl } from '../config/fields.ts';
import { describeError } from '../lib/errors.ts';
import { describePostgresUrl } from '../lib/postgres-url.ts';
import { linkedSignal } from '../lib/linked-signal.ts';
import { stopwatch } from './elapsed.ts';
import type { CheckKind, CheckResult } from './types.ts';

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

/** A fresh connection runs `SELECT 1` within the timeout, and connect + query take at most `maxLatency`. */
export async function probePostgres(options: PostgresOptions, signal: AbortSignal): Promise<CheckResult> {
  const elapsed = stopwatch();
  // never the URL itself: it may carry the password
  const label = `postgres ${describePostgresUrl(options.url)}`;
  const limit = linkedSignal([signal], options.timeoutMs);
  // loaded on first use: pg adds ~15 MB of RSS that a daemon without PostgreSQL targets does not need
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    connectionString: options.url,
    connectionTimeoutMillis: options.timeoutMs,
    query_timeout: options.timeoutMs,
    application_name: 'warden-healthcheck',
  });
  // a backend that dies mid-check emits 'error' on the client; unhandled it would kill warden
  client.on('error', () => undefined);
  const abandon = (): void => {
    client.end().catch(() => undefined);
  };
  limit.signal.addEventListener('abort', abandon, { once: true });
  const probe = (async () => {
    await client.connect();
    await client.query('SELECT 1');
  })();
  const aborted = new Promise<never>((_, reject) => {
    if (limit.signal.aborted) reject(new Error('aborted'));
    limit.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
  });
  try {
    await Promise.race([probe, aborted]);
    const latencyMs = elapsed();
    if (latencyMs > options.maxLatencyMs)
      return {
        ok: false,
        detail: `${label}: SELECT 1 took ${latencyMs}ms (maxLatency ${options.maxLatencyMs}ms)`,
        latencyMs,
      };
    return { ok: true, detail: `${label}: SELECT 1 in ${latencyMs}ms`, latencyMs };
  } catch (err) {
    const reason = limit.timedOut()
      ? `timed out after ${options.timeoutMs}ms`
      : signal.aborted
        ? 'cancelled (warden is stopping)'
        : describeError(err);
    return { ok: false, detail: `${label}: ${reason}`, latencyMs: elapsed() };
  } finally {
    probe.catch(() => undefined);
    limit.signal.removeEventListener('abort', abandon);
    limit.dispose();
    await Promise.race([client.end().catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
  }
}

export const postgres = { options: postgresOptions, run: probePostgres } satisfies CheckKind<PostgresOptions>;
