import { z } from 'zod';
import { duration } from '../config/fields.ts';
import { describeError } from '../lib/errors.ts';
import { linkedSignal } from '../lib/linked-signal.ts';
import { stopwatch } from './elapsed.ts';
import type { CheckKind, CheckResult } from './types.ts';

export const httpOptions = z
  .strictObject({
    url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
    expectStatus: z.number().int().min(100).max(599).default(200),
    timeout: duration('5s').prefault('5s'),
    bodyIncludes: z.string().optional(),
  })
  .transform(({ timeout, ...rest }) => ({ ...rest, timeoutMs: timeout }));
export type HttpOptions = z.output<typeof httpOptions>;

/** A health page bigger than this is not read further; `bodyIncludes` looks at the start only. */
const maxBodyBytes = 64 * 1024;

/** `GET url` answers `expectStatus` (and contains `bodyIncludes`) within the timeout. */
export async function probeHttp(options: HttpOptions, signal: AbortSignal): Promise<CheckResult> {
  const elapsed = stopwatch();
  const { url, authorization } = splitCredentials(options.url);
  const label = `GET ${url}`;
  const limit = linkedSignal([signal], options.timeoutMs);
  const fail = (detail: string, excerpt?: string): CheckResult => ({
    ok: false,
    detail: `${label}: ${detail}`,
    latencyMs: elapsed(),
    ...(excerpt ? { excerpt } : {}),
  });
  try {
    const response = await fetch(url, {
      signal: limit.signal,
      headers: { 'user-agent': 'warden-healthcheck', ...(authorization ? { authorization } : {}) },
    });
    const wantBody = options.bodyIncludes !== undefined || response.status !== options.expectStatus;
    let body = '';
    if (wantBody) body = await readStart(response, maxBodyBytes);
    else await response.body?.cancel();
    if (response.status !== options.expectStatus)
      return fail(`expected status ${options.expectStatus}, got ${response.status}`, body.slice(0, 500));
    if (options.bodyIncludes !== undefined && !body.includes(options.bodyIncludes))
      return fail(
        `status ${response.status} but the body does not include "${options.bodyIncludes}"`,
        body.slice(0, 500),
      );
    const latencyMs = elapsed();
    return { ok: true, detail: `${label}: ${response.status} in ${latencyMs}ms`, latencyMs };
  } catch (err) {
    if (limit.timedOut()) return fail(`timed out after ${options.timeoutMs}ms`);
    if (signal.aborted) return fail('cancelled (warden is stopping)');
    // fetch wraps the useful part ("connect ECONNREFUSED 127.0.0.1:3000") in `cause`
    return fail(describeError((err as Error).cause ?? err));
  } finally {
    limit.dispose();
  }
}

async function readStart(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
}

/**
 * fetch refuses `user:password@` in a URL, so it becomes a Basic header; and the URL that alerts
 * show must not carry the password to Telegram.
 */
function splitCredentials(raw: string): { url: string; authorization: string | null } {
  const parsed = new URL(raw);
  if (!parsed.username && !parsed.password) return { url: raw, authorization: null };
  const user = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.toString(), authorization: `Basic ${Buffer.from(user).toString('base64')}` };
}

export const http = { options: httpOptions, run: probeHttp } satisfies CheckKind<HttpOptions>;
