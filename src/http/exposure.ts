import { timingSafeEqual } from 'node:crypto';
import net from 'node:net';

/** 127.0.0.1, ::1, localhost: /metrics stays on this host. 0.0.0.0 and [::] listen everywhere. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  return host === '::1' || /^::ffff:127\./i.test(host);
}

/** One line saying what a non-loopback listen exposes, and how to narrow it. */
export function exposureWarning(host: string, port: number, hasToken: boolean): string | null {
  if (isLoopback(host)) return null;
  return hasToken
    ? `http.listen ${host}:${port} is reachable from other hosts; /metrics requires the http.token bearer token`
    : `http.listen ${host}:${port} exposes /metrics (service names, incident counts) to other hosts; set http.token (\${WARDEN_HTTP_TOKEN}) or listen on 127.0.0.1`;
}

/** `Authorization: Bearer TOKEN`, compared in constant time. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
