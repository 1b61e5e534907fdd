/**
 * warden's own CPU and RSS while supervising 50 services at 5 s intervals: 30 http and 10 tcp checks
 * against a server in this process, and 10 pm2-managed apps with the pm2 check (bus attached). All
 * healthy. warden runs as its own process (`warden run`, under tsx, or dist/main.js with --dist)
 * with its sqlite store and JSON log file, alerts in dry-run; it is read from /proc: CPU as % of one
 * core over SECONDS after a 10 s warm-up, RSS every second. A run with no services is the baseline.
 * Run: npx tsx bench/supervision-load.ts [SECONDS] [--dist | --main=PATH/main.js]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { table } from './lib/alert-stack.ts';
import { appsDir, createPm2Home, freePort, until } from './lib/supervised.ts';

const seconds = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 60);
const mainArg = process.argv.find((a) => a.startsWith('--main='))?.slice('--main='.length);
const built = mainArg ?? (process.argv.includes('--dist') ? 'dist/main.js' : null);
const ticksPerSecond = 100;

const pm2 = createPm2Home();
const server = http.createServer((_req, res) => res.end('ok'));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const targetPort = (server.address() as { port: number }).port;
const rows: Array<Array<string | number>> = [];

/** utime + stime of a process, in ms. */
function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}
function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

async function measure(label: string, services: string, expected: number, measureSeconds: number): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-bench-supervision-'));
  const config = path.join(dir, 'warden.config.yaml');
  fs.writeFileSync(
    config,
    `host: bench\nhttp: { listen: "127.0.0.1:0" }\nservices:\n${services || '  {}\n'}`.replace(
      'services:\n  {}',
      'services: {}',
    ),
  );
  const entry = built ? [built] : ['--import', 'tsx', 'src/main.ts'];
  const warden: ChildProcess = spawn(process.execPath, [...entry, 'run', '--config', config], {
    env: { ...process.env, PM2_HOME: pm2.home, TELEGRAM_BOT_TOKEN: '' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((resolve) => warden.once('exit', resolve));
  try {
    const db = path.join(dir, 'data', 'warden.db');
    const checked = () => {
      if (!fs.existsSync(db)) return 0;
      const conn = new Database(db, { readonly: true, fileMustExist: true });
      try {
        return (conn.prepare('SELECT COUNT(DISTINCT service) AS n FROM check_results').get() as { n: number }).n;
      } catch {
        return 0;
      } finally {
        conn.close();
      }
    };
    await until(() => checked() === expected, 30_000, `${expected} services checked`);
    if (expected === 0) await new Promise((r) => setTimeout(r, 3000));
    await new Promise((r) => setTimeout(r, 10_000));
    const pid = warden.pid!;
    const rss: number[] = [];
    const cpu0 = cpuMs(pid);
    const t0 = performance.now();
    for (let s = 0; s < measureSeconds; s++) {
      await new Promise((r) => setTimeout(r, 1000));
      rss.push(rssBytes(pid));
    }
    const cpu = cpuMs(pid) - cpu0;
    const elapsed = performance.now() - t0;
    const mb = (b: number) => (b / 1024 ** 2).toFixed(1);
    rows.push([
      label,
      measureSeconds,
      ((cpu / elapsed) * 100).toFixed(2),
      mb(rss.reduce((a, b) => a + b, 0) / rss.length),
      mb(Math.max(...rss)),
    ]);
  } finally {
    warden.kill('SIGTERM');
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

try {
  await pm2.startDaemon();
  const ports = await Promise.all(Array.from({ length: 10 }, () => freePort()));
  await pm2.startApps(
    ports.map((port, i) => ({
      name: `app${i}`,
      script: path.join(appsDir, 'http-app.mjs'),
      env: { PORT: String(port) },
    })),
  );
  const services = [
    ...Array.from(
      { length: 30 },
      (_, i) =>
        `  http${i}:\n    check: { http: { url: "http://127.0.0.1:${targetPort}/healthz?n=${i}" } }\n    interval: 5s\n`,
    ),
    ...Array.from(
      { length: 10 },
      (_, i) => `  tcp${i}:\n    check: { tcp: { port: ${targetPort} } }\n    interval: 5s\n`,
    ),
    ...Array.from({ length: 10 }, (_, i) => `  app${i}:\n    check: { pm2: {} }\n    interval: 5s\n`),
  ].join('');
  await measure('no services (baseline)', '', 0, Math.min(seconds, 20));
  await measure('50 services at 5s', services, 50, seconds);
  console.log(
    `warden run, CPU and RSS, ${new Date().toISOString()}, node ${process.version}, ${built ?? 'tsx src/main.ts'}`,
  );
  console.log('50 services = 30 http + 10 tcp + 10 pm2 (pm2 check, bus attached); sqlite store; JSON log file\n');
  console.log(table(['warden', 'seconds', 'CPU (% of one core)', 'RSS avg MB', 'RSS max MB'], rows));
} finally {
  server.close();
  await pm2.kill();
}
process.exit(0);
