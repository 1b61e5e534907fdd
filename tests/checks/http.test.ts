import { describe, expect, it } from 'vitest';
import { httpOptions, probeHttp } from '../../src/checks/http.ts';
import { closedPort, httpServer } from '../helpers/servers.ts';

const options = (input: Record<string, unknown>) => httpOptions.parse(input);
const live = () => new AbortController().signal;

describe('http check', () => {
  it('passes on the expected status and reports the latency', async () => {
    const { url } = await httpServer((_req, res) => res.end('ok'));
    const result = await probeHttp(options({ url: `${url}/healthz` }), live());
    expect(result).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/^GET http:\/\/127\.0\.0\.1:\d+\/healthz: 200 in \d+ms$/),
    });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('fails on another status and keeps the start of the body as the excerpt', async () => {
    const { url } = await httpServer((_req, res) => {
      res.statusCode = 503;
      res.end('database unavailable');
    });
    const result = await probeHttp(options({ url }), live());
    expect(result).toMatchObject({ ok: false, excerpt: 'database unavailable' });
    expect(result.detail).toContain('expected status 200, got 503');
  });

  it('accepts another expected status', async () => {
    const { url } = await httpServer((_req, res) => {
      res.statusCode = 204;
      res.end();
    });
    expect((await probeHttp(options({ url, expectStatus: 204 }), live())).ok).toBe(true);
  });

  it('checks bodyIncludes', async () => {
    const { url } = await httpServer((_req, res) => res.end('{"status":"degraded"}'));
    expect((await probeHttp(options({ url, bodyIncludes: '"degraded"' }), live())).ok).toBe(true);
    const result = await probeHttp(options({ url, bodyIncludes: '"ok"' }), live());
    expect(result.ok).toBe(false);
    expect(result.detail).toContain('the body does not include ""ok""');
  });

  it('ends by its timeout when the server never answers', async () => {
    const { url } = await httpServer(() => undefined);
    // the detail names the check's own timer: it ended by its timeout, not by the server
    const result = await probeHttp(options({ url, timeout: '300ms' }), live());
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/: timed out after 300ms$/);
  });

  it('ends by its timeout when the body never finishes', async () => {
    const { url } = await httpServer((_req, res) => res.write('partial'));
    const result = await probeHttp(options({ url, timeout: '300ms', bodyIncludes: 'done' }), live());
    expect(result).toMatchObject({ ok: false, detail: expect.stringContaining('timed out after 300ms') });
  });

  it('names the cause of a refused connection', async () => {
    const port = await closedPort();
    const result = await probeHttp(options({ url: `http://127.0.0.1:${port}/healthz` }), live());
    expect(result.ok).toBe(false);
    expect(result.detail).toContain(`connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  it('stops when the caller aborts', async () => {
    const { url } = await httpServer(() => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const result = await probeHttp(options({ url, timeout: '10s' }), controller.signal);
    expect(result).toMatchObject({ ok: false, detail: expect.stringContaining('cancelled') });
  });

  it('sends credentials from the URL as Basic auth and never shows the password', async () => {
    let seen: string | undefined;
    const { port } = await httpServer((req, res) => {
      seen = req.headers.authorization;
      res.statusCode = 500;
      res.end();
    });
    const result = await probeHttp(options({ url: `http://admin:s3cret@127.0.0.1:${port}/` }), live());
    expect(seen).toBe(`Basic ${Buffer.from('admin:s3cret').toString('base64')}`);
    expect(result.detail).not.toContain('s3cret');
    expect(result.detail).toContain(`GET http://127.0.0.1:${port}/`);
  });
});
