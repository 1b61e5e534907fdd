import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { WardenError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { Part } from '../lib/part.ts';
import { bearerMatches, exposureWarning } from './exposure.ts';

export interface HttpServerOptions {
  host: string;
  port: number;
  /** True while the daemon loop ticks; /healthz answers 503 otherwise, with the reason when one is given. */
  isHealthy(): boolean | string;
  metrics: Registry;
  log: Logger;
  /** When set, /metrics answers only `Authorization: Bearer TOKEN` (http.token). */
  token?: string | null;
}

export interface HttpServer extends Part {
  /** The bound address (port 0 in tests becomes a real port). */
  address(): { host: string; port: number };
}

export function createHttpServer(options: HttpServerOptions): HttpServer {
  const server = http.createServer((req, res) => {
    const respond = (status: number, body: string, type = 'text/plain; charset=utf-8'): void => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
    };
    // HEAD as GET: node sends the headers only; some probers use it
    if (req.method !== 'GET' && req.method !== 'HEAD') return respond(405, 'method not allowed\n');
    if (req.url === '/healthz') {
      const health = options.isHealthy();
      if (health === true) return respond(200, 'ok\n');
      return respond(503, `${typeof health === 'string' ? health : 'daemon loop not ticking'}\n`);
    }
    if (req.url === '/metrics') {
      if (options.token && !bearerMatches(req.headers.authorization, options.token)) {
        res.setHeader('www-authenticate', 'Bearer');
        return respond(401, 'unauthorized: send Authorization: Bearer <http.token>\n');
      }
      options.metrics.metrics().then(
        (text) => respond(200, text, options.metrics.contentType),
        (err: unknown) => {
          options.log.error({ err }, 'metrics collection failed');
          respond(500, 'metrics collection failed\n');
        },
      );
      return;
    }
    respond(404, 'not found: try /healthz or /metrics\n');
  });
  server.keepAliveTimeout = 5000;
  let stopping: Promise<void> | undefined;

  return {
    name: 'http',
    start: () =>
      new Promise<void>((resolve, reject) => {
        server.once('error', (err: NodeJS.ErrnoException) => {
          const where = `${options.host}:${options.port}`;
          reject(
            new WardenError(
              'HTTP_LISTEN',
              err.code === 'EADDRINUSE'
                ? `http.listen ${where}: address in use — another warden running? stop it or change http.listen`
                : `http.listen ${where}: ${err.message}`,
              { cause: err },
            ),
          );
        });
        server.listen(options.port, options.host, () => {
          const port = (server.address() as AddressInfo).port;
          options.log.info({ listen: `${options.host}:${port}` }, 'http listening');
          const warning = exposureWarning(options.host, port, Boolean(options.token));
          if (warning) options.log.warn(warning);
          resolve();
        });
      }),
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      })),
    address: () => ({ host: options.host, port: (server.address() as AddressInfo).port }),
  };
}
