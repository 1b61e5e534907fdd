// Sample service — replace with your services.
// A dependency-free HTTP API so that a fresh warden install has something to supervise:
// ecosystem.config.js starts it under pm2 and warden.config.yaml checks GET /healthz.
import http from 'node:http';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('ok');
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('not found');
});

server.listen(port, host, () => {
  const { port: bound } = server.address();
  console.log(`sample-api listening on http://${host}:${bound}`);
});

function stop(signal) {
  console.log(`sample-api stopping (${signal})`);
  server.close(() => process.exit(0));
  // Idle keep-alive sockets would hold close() open; pm2 sends SIGKILL after kill_timeout anyway.
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 3000).unref();
}

process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));
