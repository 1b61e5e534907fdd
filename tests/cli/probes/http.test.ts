import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { probeHttpListen } from '../../../src/cli/probes/http.ts';
import { configFrom } from '../../helpers/service.ts';

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function listen(server: net.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

const configOn = (port: number) => configFrom(`http: { listen: "127.0.0.1:${port}" }`);

describe('warden check: http.listen', () => {
  it('is free', async () => {
    const server = net.createServer();
    const port = await listen(server);
    await new Promise((r) => server.close(r));
    servers.pop();
    expect(await probeHttpListen(configOn(port))).toEqual({
      name: `http.listen 127.0.0.1:${port}`,
      ok: true,
      detail: 'free',
    });
  });

  it('is taken by another program', async () => {
    const port = await listen(net.createServer((socket) => socket.destroy()));
    expect(await probeHttpListen(configOn(port))).toMatchObject({
      ok: false,
      detail: 'address in use (a running warden, or another program)',
      fix: 'stop the other program, or change http.listen',
    });
  });

  it('is taken by a running warden, which is fine', async () => {
    const port = await listen(http.createServer((_req, res) => res.writeHead(200).end('ok\n')));
    expect(await probeHttpListen(configOn(port))).toMatchObject({
      ok: true,
      detail: 'in use by a running warden (/healthz answers)',
    });
  });
});
