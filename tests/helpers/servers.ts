import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** An HTTP server on 127.0.0.1, port 0, closed (with its open sockets) after the current test. */
export async function httpServer(handler: http.RequestListener): Promise<{ url: string; port: number }> {
  const port = await listenUntilTestEnds(http.createServer(handler));
  return { url: `http://127.0.0.1:${port}`, port };
}

/** A TCP server that accepts and never says anything (a hung PostgreSQL, a stuck proxy). */
export async function silentTcpServer(): Promise<number> {
  return listenUntilTestEnds(net.createServer((socket) => socket.on('error', () => undefined)));
}

async function listenUntilTestEnds(server: net.Server): Promise<number> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return (server.address() as AddressInfo).port;
}

/** A port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
