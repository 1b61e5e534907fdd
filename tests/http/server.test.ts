import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { exposureWarning, isLoopback } from '../../src/http/exposure.ts';
import { createHttpServer, type HttpServer } from '../../src/http/server.ts';
import { captureLogger } from '../helpers/logger.ts';

let server: HttpServer | null = null;
afterEach(async () => {
  await server?.stop();
  server = null;
});

async function start(options: { host?: string; token?: string | null } = {}) {
  const { log, lines } = captureLogger();
  server = createHttpServer({
    host: options.host ?? '127.0.0.1',
    port: 0,
    isHealthy: () => true,
    metrics: new Registry(),
    log,
    token: options.token ?? null,
  });
  await server.start();
  return { base: `http://127.0.0.1:${server.address().port}`, lines };
}

describe('http server', () => {
  it('answers HEAD where it answers GET', async () => {
    const { base } = await start();
    const head = await fetch(`${base}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect((await fetch(`${base}/metrics`, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(`${base}/healthz`, { method: 'POST' })).status).toBe(405);
  });

  it('requires the bearer token for /metrics when http.token is set, never for /healthz', async () => {
    const token = 'metrics-token-123';
    const { base } = await start({ token });
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('has a warning for listening beyond this host, milder with a token (tests bind 127.0.0.1 only)', async () => {
    expect(exposureWarning('0.0.0.0', 9464, false)).toMatch(
      /^http\.listen 0\.0\.0\.0:9464 exposes \/metrics .*set http\.token/,
    );
    expect(exposureWarning('::', 9464, true)).toMatch(/requires the http\.token bearer token$/);
    expect(exposureWarning('127.0.0.1', 9464, false)).toBeNull();
    const { lines } = await start();
    expect(lines().filter((l) => l.level === 40)).toEqual([]);
  });

  it('knows which addresses are loopback', () => {
    for (const host of ['127.0.0.1', '127.3.0.1', '::1', 'localhost']) expect(isLoopback(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'example.com']) expect(isLoopback(host)).toBe(false);
  });
});
