import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { httpOptions, probeHttp } from '../../src/checks/http.ts';
import { closedPort, httpServer } from '../helpers/servers.ts';
import { tempDir } from '../helpers/temp-dir.ts';

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

  it('opens a new connection for every check and asks the server to close it', async () => {
    const connections: string[] = [];
    const { url } = await httpServer((req, res) => {
      connections.push(`${req.socket.remotePort}:${req.headers.connection}`);
      res.end('ok');
    });
    expect((await probeHttp(options({ url }), live())).ok).toBe(true);
    expect((await probeHttp(options({ url }), live())).ok).toBe(true);
    expect(connections).toHaveLength(2);
    expect(connections[0]).not.toBe(connections[1]);
    expect(connections.every((c) => c.endsWith(':close'))).toBe(true);
  });

  it('fails once the service stops accepting, although it answered the check before', async () => {
    const service = await hangableServer();
    const url = `http://127.0.0.1:${service.port}/healthz`;
    expect((await probeHttp(options({ url, timeout: '2s' }), live())).ok).toBe(true);
    await service.hang();
    const result = await probeHttp(options({ url, timeout: '300ms' }), live());
    expect(result).toMatchObject({ ok: false, detail: `GET ${url}: timed out after 300ms` });
  });

  it('fails by its timeout when the accept backlog of the service is full', async () => {
    const service = await hangableServer(1);
    await service.hang();
    // the kernel completes handshakes into the queue up to its backlog; then it drops new SYNs
    const fillers = Array.from({ length: 4 }, () => net.connect(service.port, '127.0.0.1').on('error', () => {}));
    onTestFinished(() => fillers.forEach((s) => s.destroy()));
    const url = `http://127.0.0.1:${service.port}/healthz`;
    const result = await probeHttp(options({ url, timeout: '300ms' }), live());
    expect(result).toMatchObject({ ok: false, detail: `GET ${url}: timed out after 300ms` });
  });

  it('reads a chunked body until it finds bodyIncludes', async () => {
    const { url } = await httpServer((_req, res) => {
      res.write('{"db":"ok",');
      setTimeout(() => res.end('"queue":"ok"}'), 20);
    });
    expect((await probeHttp(options({ url, bodyIncludes: '"queue":"ok"' }), live())).ok).toBe(true);
    const result = await probeHttp(options({ url, bodyIncludes: 'missing' }), live());
    expect(result).toMatchObject({ ok: false, excerpt: '{"db":"ok","queue":"ok"}' });
  });

  it('looks at the first 64 KB of a large body only, without waiting for the rest', async () => {
    const { url } = await httpServer((_req, res) => {
      res.write('x'.repeat(70 * 1024));
      // never ended: the check has what it reads
    });
    const result = await probeHttp(options({ url, bodyIncludes: 'x' }), live());
    expect(result.ok).toBe(true);
  });

  it('skips an interim 103 Early Hints answer', async () => {
    const { url } = await httpServer((_req, res) => {
      res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
      res.statusCode = 503;
      res.end('starting');
    });
    const result = await probeHttp(options({ url }), live());
    expect(result).toMatchObject({ ok: false, excerpt: 'starting' });
    expect(result.detail).toContain('expected status 200, got 503');
  });

  it('names a server that does not speak HTTP', async () => {
    const port = await rawServer((socket) => socket.end('SSH-2.0-OpenSSH_9.2\r\n\r\n'));
    const result = await probeHttp(options({ url: `http://127.0.0.1:${port}/` }), live());
    expect(result.detail).toContain('not an HTTP response: "SSH-2.0-OpenSSH_9.2"');
  });

  it('names a connection closed before the answer', async () => {
    const port = await rawServer((socket) => socket.once('data', () => socket.end()));
    const result = await probeHttp(options({ url: `http://127.0.0.1:${port}/` }), live());
    expect(result).toMatchObject({ ok: false });
    expect(result.detail).toContain('connection closed before a complete response');
  });

  it('speaks TLS for https: verifies the certificate, and passes with a trusted one', async () => {
    const dir = tempDir();
    const [key, cert] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
        ...['-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'],
        ...['-addext', 'subjectAltName=IP:127.0.0.1'],
      ],
      { stdio: 'ignore' },
    );
    const server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (_req, res) =>
      res.end('secure'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `https://127.0.0.1:${(server.address() as net.AddressInfo).port}/healthz`;

    const untrusted = await probeHttp(options({ url }), live());
    expect(untrusted).toMatchObject({ ok: false, detail: `GET ${url}: self-signed certificate` });

    // a CA can only be added at process start, so the trusted case runs in a child process
    const script = `import { httpOptions, probeHttp } from './src/checks/http.ts';
      const r = await probeHttp(httpOptions.parse({ url: process.argv[1], bodyIncludes: 'secure' }), new AbortController().signal);
      console.log(JSON.stringify(r));`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script, url],
      { env: { ...process.env, NODE_EXTRA_CA_CERTS: cert } },
    );
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, detail: expect.stringMatching(/: 200 in \d+ms$/) });
  });
});

/** A TCP server whose handler gets the raw socket; closed after the test. */
async function rawServer(onConnection: (socket: net.Socket) => void): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return (server.address() as net.AddressInfo).port;
}

/**
 * An HTTP service in its own process that can be made to hang: its event loop blocks, so it
 * accepts nothing more (the kernel still queues connections up to `backlog`). Killed after the test.
 */
async function hangableServer(backlog = 511): Promise<{ port: number; hang(): Promise<void> }> {
  const script = `
    const server = require('node:http').createServer((_req, res) => res.end('ok'));
    server.listen(0, '127.0.0.1', ${backlog}, () => console.log(server.address().port));
    process.stdin.once('data', () => {
      console.log('hung');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000);
    });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  onTestFinished(() => {
    child.kill('SIGKILL');
  });
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    lines.push(...text.trim().split('\n'));
    waiters.splice(0).forEach((wake) => wake());
  });
  const line = async (index: number): Promise<string> => {
    while (lines.length <= index) await new Promise<void>((resolve) => waiters.push(resolve));
    return lines[index]!;
  };
  const port = Number(await line(0));
  return {
    port,
    hang: async () => {
      child.stdin.write('hang\n');
      await line(1);
    },
  };
}
