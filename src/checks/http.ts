import net from 'node:net';
import tls from 'node:tls';
import { z } from 'zod';
import { duration } from '../config/fields.ts';
import { describeError } from '../lib/errors.ts';
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
const maxHeadBytes = 64 * 1024;

/**
 * `GET url` answers `expectStatus` (and contains `bodyIncludes`) within the timeout, on a connection
 * of its own. Each check connects afresh and sends `Connection: close`, so a service whose accept
 * loop hangs or whose backlog is full fails its check (a reused socket would still be answered by a
 * service that can no longer take new clients).
 *
 * A plain socket and the small HTTP/1.1 reader below instead of `fetch`: a check needs the status
 * line and at most the start of the body, and fetch (undici, web streams) cost warden more CPU per
 * check than the rest of a check together, plus its load in RSS (docs/benchmarks.md).
 */
export function probeHttp(options: HttpOptions, signal: AbortSignal): Promise<CheckResult> {
  const elapsed = stopwatch();
  const target = targetOf(options);
  const wantBody = (status: number) => options.bodyIncludes !== undefined || status !== options.expectStatus;
  return new Promise((resolve) => {
    const socket = target.tls
      ? tls.connect({ host: target.host, port: target.port, servername: target.servername })
      : net.connect({ host: target.host, port: target.port });
    const reader = new ResponseReader(wantBody);
    let settled = false;
    const settle = (outcome: Answer | string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(judge(options, target.label, outcome, elapsed()));
    };
    const timer = setTimeout(() => settle(`timed out after ${options.timeoutMs}ms`), options.timeoutMs);
    const onAbort = (): void => settle('cancelled (warden is stopping)');
    const read = (next: () => Answer | null): void => {
      try {
        const answer = next();
        if (answer) settle(answer);
      } catch (err) {
        settle(describeError(err));
      }
    };
    socket.on('data', (chunk: Buffer) => read(() => reader.push(chunk)));
    socket.on('end', () => read(() => reader.end()));
    socket.on('error', (err) => settle(describeError(err)));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    socket.write(target.request);
  });
}

function judge(options: HttpOptions, label: string, outcome: Answer | string, latencyMs: number): CheckResult {
  const fail = (detail: string, excerpt?: string): CheckResult => ({
    ok: false,
    detail: `${label}: ${detail}`,
    latencyMs,
    ...(excerpt ? { excerpt } : {}),
  });
  if (typeof outcome === 'string') return fail(outcome);
  const { status, body } = outcome;
  if (status !== options.expectStatus)
    return fail(`expected status ${options.expectStatus}, got ${status}`, body.slice(0, 500));
  if (options.bodyIncludes !== undefined && !body.includes(options.bodyIncludes))
    return fail(`status ${status} but the body does not include "${options.bodyIncludes}"`, body.slice(0, 500));
  return { ok: true, detail: `${label}: ${status} in ${latencyMs}ms`, latencyMs };
}

interface Target {
  tls: boolean;
  /** Host to connect to (IPv6 without brackets). */
  host: string;
  port: number;
  /** SNI name; empty for an IP address. */
  servername: string;
  request: Buffer;
  /** `GET url` without credentials: alerts must not carry a password to Telegram. */
  label: string;
}

/** A service checks the same URL every few seconds: its request is built once. */
const targets = new WeakMap<HttpOptions, Target>();

function targetOf(options: HttpOptions): Target {
  let target = targets.get(options);
  if (!target) targets.set(options, (target = parseTarget(options.url)));
  return target;
}

function parseTarget(raw: string): Target {
  const url = new URL(raw);
  const secure = url.protocol === 'https:';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const lines = [`GET ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`, 'User-Agent: warden-healthcheck'];
  const credentials = url.username !== '' || url.password !== '';
  if (credentials) {
    const user = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    lines.push(`Authorization: Basic ${Buffer.from(user).toString('base64')}`);
    url.username = '';
    url.password = '';
  }
  lines.push('Connection: close', '', '');
  return {
    tls: secure,
    host,
    port: Number(url.port) || (secure ? 443 : 80),
    servername: net.isIP(host) ? '' : host,
    request: Buffer.from(lines.join('\r\n')),
    label: `GET ${credentials ? url.toString() : raw}`,
  };
}

interface Answer {
  status: number;
  body: string;
}

type Framing = { kind: 'length'; length: number } | { kind: 'chunked' } | { kind: 'close' };

/** Reads one HTTP/1.x response: the status line, then (only if wanted) the start of the body. */
class ResponseReader {
  private head: Buffer | null = Buffer.alloc(0);
  private status = 0;
  private framing: Framing = { kind: 'close' };
  private body: Buffer[] = [];
  private bodyBytes = 0;

  constructor(private readonly wantBody: (status: number) => boolean) {}

  /** The answer once it can be judged, else null (more bytes needed). */
  push(chunk: Buffer): Answer | null {
    if (this.head === null) return this.pushBody(chunk);
    let bytes = this.head.length === 0 ? chunk : Buffer.concat([this.head, chunk]);
    for (;;) {
      const end = bytes.indexOf('\r\n\r\n');
      if (end < 0) {
        if (bytes.length > maxHeadBytes) throw new Error(`response headers larger than ${maxHeadBytes} bytes`);
        this.head = bytes;
        return null;
      }
      const head = bytes.toString('latin1', 0, end);
      bytes = bytes.subarray(end + 4);
      const status = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(head)?.[1];
      if (status === undefined) throw new Error(`not an HTTP response: "${head.split('\r\n')[0]!.slice(0, 80)}"`);
      this.status = Number(status);
      // 100 Continue, 103 Early Hints: the real answer follows
      if (this.status >= 100 && this.status < 200 && this.status !== 101) continue;
      this.head = null;
      if (!this.wantBody(this.status) || this.status === 204 || this.status === 304 || this.status === 101)
        return { status: this.status, body: '' };
      this.framing = framingOf(head);
      return bytes.length > 0 ? this.pushBody(bytes) : null;
    }
  }

  /** The connection ended: what was read so far, if the status line was. */
  end(): Answer {
    if (this.head !== null) throw new Error('connection closed before a complete response');
    return { status: this.status, body: this.decoded().body };
  }

  private pushBody(chunk: Buffer): Answer | null {
    this.body.push(chunk);
    this.bodyBytes += chunk.length;
    const { body, complete } = this.decoded();
    return complete ? { status: this.status, body } : null;
  }

  private decoded(): { body: string; complete: boolean } {
    const raw = this.body.length === 1 ? this.body[0]! : Buffer.concat(this.body, this.bodyBytes);
    if (this.framing.kind === 'chunked') {
      const { bytes, complete } = dechunk(raw);
      return { body: bytes.toString('utf8', 0, maxBodyBytes), complete: complete || bytes.length >= maxBodyBytes };
    }
    const limit = this.framing.kind === 'length' ? Math.min(this.framing.length, maxBodyBytes) : maxBodyBytes;
    return { body: raw.toString('utf8', 0, limit), complete: raw.length >= limit };
  }
}

function framingOf(head: string): Framing {
  if (/^transfer-encoding:[^\r\n]*\bchunked\b/im.test(head)) return { kind: 'chunked' };
  const length = /^content-length:[ \t]*(\d+)/im.exec(head)?.[1];
  return length === undefined ? { kind: 'close' } : { kind: 'length', length: Number(length) };
}

/** The data of a chunked body read so far; complete once the last (empty) chunk has arrived. */
function dechunk(raw: Buffer): { bytes: Buffer; complete: boolean } {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = Number.parseInt(raw.toString('latin1', at, lineEnd), 16);
    if (Number.isNaN(size)) throw new Error('malformed chunked body');
    if (size === 0) return { bytes: Buffer.concat(parts), complete: true };
    const start = lineEnd + 2;
    parts.push(raw.subarray(start, Math.min(start + size, raw.length)));
    at = start + size + 2;
    if (at > raw.length) break;
  }
  return { bytes: Buffer.concat(parts), complete: false };
}

export const http = { options: httpOptions, run: probeHttp } satisfies CheckKind<HttpOptions>;
