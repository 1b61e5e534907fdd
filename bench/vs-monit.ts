/**
 * warden next to Monit, in the same run: both check the same N HTTP endpoints (one server in this
 * process, path `/healthz?n=I`) at the same interval, at the same time. After a warm-up (every
 * endpoint answered both, then WARMUP more seconds) both are read from /proc for SECONDS: CPU from
 * /proc/PID/stat (utime+stime, all threads), RSS (VmRSS) every second, private memory
 * (Private_Clean + Private_Dirty of /proc/PID/smaps_rollup) every 5 s. The server counts the
 * requests each of them made in the window, so the work is seen to be the same.
 *
 * Monit (Debian's `monit`, `apt-get install monit`) runs as `monit -c FILE -I` from a temp folder
 * with every file it writes in that folder; never as a service. warden runs `warden run` (built
 * JS, with the node flags of ecosystem.config.js unless --warden-node-options is given) with a
 * sqlite store and dry-run alerts. Both are stopped at the end of each run.
 *
 * Run: npm run build && npx tsx bench/vs-monit.ts [--n=50,200] [--runs=5] [--interval=5] [--seconds=60]
 *      [--warmup=10] [--main=dist/main.js] [--warden-node-options="--max-semi-space-size=1"] [--cpu-prof=DIR]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { table } from './lib/alert-stack.ts';
import { until } from './lib/supervised.ts';

const arg = (name: string, fallback: string): string =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const counts = arg('n', '50,200').split(',').map(Number);
const runs = Number(arg('runs', '1'));
const intervalS = Number(arg('interval', '5'));
const seconds = Number(arg('seconds', '60'));
const warmupS = Number(arg('warmup', '10'));
/** The node flags warden ships with (ecosystem.config.js), unless given. */
const shippedFlags = (
  (await import(pathToFileURL(path.resolve('ecosystem.config.js')).href)) as {
    apps: Array<{ name: string; node_args?: string[] }>;
  }
).apps.find((app) => app.name === 'warden')?.node_args;
const flagsArg = process.argv.find((a) => a.startsWith('--warden-node-options='));
const wardenNodeOptions = flagsArg
  ? flagsArg.slice('--warden-node-options='.length).split(' ').filter(Boolean)
  : (shippedFlags ?? []);
const cpuProfDir = arg('cpu-prof', '');
const built = arg('main', 'dist/main.js');
if (!fs.existsSync(built)) {
  console.error(`${built} not found: npm run build first (or --main=PATH/main.js)`);
  process.exit(1);
}
const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);

const monitBin = spawnSync('sh', ['-c', 'command -v monit'], { encoding: 'utf8' }).stdout.trim();
if (!monitBin) {
  console.error('monit is not installed: apt-get update && apt-get install -y monit');
  process.exit(1);
}
const monitVersion = /version (\S+)/.exec(spawnSync(monitBin, ['-V'], { encoding: 'utf8' }).stdout)?.[1] ?? '?';

/** Requests per client (by user-agent) and per path, counted by the endpoint server. */
const seen = { monit: new Set<string>(), warden: new Set<string>() };
const requests = { monit: 0, warden: 0, other: 0 };
const server = http.createServer((req, res) => {
  const who = /^Monit/.test(req.headers['user-agent'] ?? '')
    ? 'monit'
    : req.headers['user-agent'] === 'warden-healthcheck'
      ? 'warden'
      : 'other';
  requests[who] += 1;
  if (who !== 'other') seen[who].add(req.url ?? '');
  res.end('ok');
});
server.keepAliveTimeout = 5000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', 511, resolve));
const port = (server.address() as { port: number }).port;

/** utime and stime (all threads), in ms. */
function cpuMs(pid: number): { user: number; sys: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: (Number(fields[11]) * 1000) / ticksPerSecond, sys: (Number(fields[12]) * 1000) / ticksPerSecond };
}
function rssBytes(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
}
function privateBytes(pid: number): number {
  const text = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  return (kb('Private_Clean') + kb('Private_Dirty')) * 1024;
}

interface Reading {
  cpuPct: number;
  sysPct: number;
  rssAvg: number;
  rssMax: number;
  privateAvg: number;
  requests: number;
}
interface RunResult {
  n: number;
  run: number;
  monit: Reading;
  warden: Reading;
}

function monitConfig(dir: string, n: number): string {
  const file = path.join(dir, 'monitrc');
  const checks = Array.from(
    { length: n },
    (_, i) =>
      `check host e${i} with address 127.0.0.1\n` +
      `  if failed port ${port} protocol http request "/healthz?n=${i}" with timeout 5 seconds then alert\n`,
  );
  fs.writeFileSync(
    file,
    [
      `set daemon ${intervalS}`,
      `set logfile ${path.join(dir, 'monit.log')}`,
      `set pidfile ${path.join(dir, 'monit.pid')}`,
      `set idfile ${path.join(dir, 'monit.id')}`,
      `set statefile ${path.join(dir, 'monit.state')}`,
      ...checks,
    ].join('\n'),
    { mode: 0o600 },
  );
  return file;
}

function wardenConfig(dir: string, n: number): string {
  const file = path.join(dir, 'warden.config.yaml');
  const services = Array.from(
    { length: n },
    (_, i) =>
      `  e${i}:\n    check: { http: { url: "http://127.0.0.1:${port}/healthz?n=${i}" } }\n    interval: ${intervalS}s\n`,
  ).join('');
  fs.writeFileSync(file, `host: bench\nhttp: { listen: "127.0.0.1:0" }\nservices:\n${services}`);
  return file;
}

function storedServices(dir: string): number {
  const conn = new Database(path.join(dir, 'data', 'warden.db'), { readonly: true, fileMustExist: true });
  try {
    return (conn.prepare('SELECT COUNT(DISTINCT service) AS n FROM check_results').get() as { n: number }).n;
  } finally {
    conn.close();
  }
}

function stopped(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** Monit and warden of the run in progress: stopped also when the bench itself is interrupted. */
const running = new Set<ChildProcess>();
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    for (const child of running) child.kill('SIGKILL');
    process.exit(130);
  });

async function measureOnce(n: number, run: number): Promise<RunResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-bench-vs-monit-'));
  seen.monit.clear();
  seen.warden.clear();
  const prof = cpuProfDir ? [`--cpu-prof`, `--cpu-prof-dir=${cpuProfDir}`] : [];
  const children: ChildProcess[] = [];
  const exits: Array<Promise<void>> = [];
  try {
    const monit = spawn(monitBin, ['-c', monitConfig(dir, n), '-I'], { cwd: dir, stdio: 'ignore' });
    children.push(monit);
    running.add(monit);
    exits.push(stopped(monit));
    const warden = spawn(
      process.execPath,
      [...wardenNodeOptions, ...prof, built, 'run', '--config', wardenConfig(dir, n)],
      {
        env: { ...process.env, PM2_HOME: path.join(dir, 'pm2'), TELEGRAM_BOT_TOKEN: '', NODE_OPTIONS: '' },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    children.push(warden);
    running.add(warden);
    exits.push(stopped(warden));
    const alive = (): void => {
      for (const child of children)
        if (child.exitCode !== null) throw new Error(`${child.spawnfile} exited with ${child.exitCode}`);
    };
    await until(
      () => (alive(), seen.monit.size === n && seen.warden.size === n),
      30_000 + 2 * intervalS * 1000,
      `all ${n} endpoints checked by both`,
    );
    await new Promise((r) => setTimeout(r, warmupS * 1000));

    const procs = { monit: monit.pid!, warden: warden.pid! };
    const rss = { monit: [] as number[], warden: [] as number[] };
    const priv = { monit: [] as number[], warden: [] as number[] };
    const cpu0 = { monit: cpuMs(procs.monit), warden: cpuMs(procs.warden) };
    const req0 = { ...requests };
    const t0 = performance.now();
    for (let s = 1; s <= seconds; s++) {
      await new Promise((r) => setTimeout(r, t0 + s * 1000 - performance.now()));
      for (const who of ['monit', 'warden'] as const) {
        rss[who].push(rssBytes(procs[who]));
        if (s % 5 === 0) priv[who].push(privateBytes(procs[who]));
      }
    }
    const elapsed = performance.now() - t0;
    const cpu1 = { monit: cpuMs(procs.monit), warden: cpuMs(procs.warden) };
    const reading = (who: 'monit' | 'warden'): Reading => ({
      cpuPct: ((cpu1[who].user + cpu1[who].sys - cpu0[who].user - cpu0[who].sys) / elapsed) * 100,
      sysPct: ((cpu1[who].sys - cpu0[who].sys) / elapsed) * 100,
      rssAvg: rss[who].reduce((a, b) => a + b, 0) / rss[who].length,
      rssMax: Math.max(...rss[who]),
      privateAvg: priv[who].reduce((a, b) => a + b, 0) / priv[who].length,
      requests: requests[who] - req0[who],
    });
    const result = { n, run, monit: reading('monit'), warden: reading('warden') };
    const stored = storedServices(dir);
    if (stored !== n) throw new Error(`warden stored results of ${stored} services, expected ${n}`);
    return result;
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    const deadline = setTimeout(() => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')), 15_000);
    await Promise.all(exits);
    clearTimeout(deadline);
    for (const child of children) running.delete(child);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const mb = (b: number) => (b / 1024 ** 2).toFixed(1);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const spread = (xs: number[], digits: number, f = (x: number) => x.toFixed(digits)) =>
  `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`;

const results: RunResult[] = [];
const rows: Array<Array<string | number>> = [];
try {
  for (let run = 1; run <= runs; run++)
    for (const n of counts) {
      const r = await measureOnce(n, run);
      results.push(r);
      for (const who of ['monit', 'warden'] as const)
        rows.push([
          n,
          run,
          who,
          r[who].requests,
          r[who].cpuPct.toFixed(2),
          mb(r[who].rssAvg),
          mb(r[who].rssMax),
          mb(r[who].privateAvg),
          who === 'warden' ? (r.warden.cpuPct / r.monit.cpuPct).toFixed(2) : '',
          r[who].sysPct.toFixed(2),
        ]);
      console.error(
        `N=${n} run ${run}: warden ${r.warden.cpuPct.toFixed(2)} % / monit ${r.monit.cpuPct.toFixed(2)} % = ${(r.warden.cpuPct / r.monit.cpuPct).toFixed(2)}×, warden RSS avg ${mb(r.warden.rssAvg)} MB`,
      );
    }
} finally {
  server.close();
}

const extra = [...wardenNodeOptions, cpuProfDir ? '--cpu-prof' : ''].filter(Boolean).join(' ') || 'no node flags';
console.log(
  `warden vs Monit ${monitVersion}, ${new Date().toISOString()}, node ${process.version}, ` +
    `node ${built} (${extra}); interval ${intervalS}s, ${seconds}s window after a ${warmupS}s warm-up`,
);
console.log(`CPU = % of one core; RSS/private in MB; requests = what the endpoint server counted in the window\n`);
console.log(
  table(
    ['N', 'run', 'process', 'requests', 'CPU %', 'RSS avg', 'RSS max', 'private avg', 'CPU ratio', 'of which sys %'],
    rows,
  ),
);
console.log('\nmedian (min–max) over the runs\n');
console.log(
  table(
    ['N', 'runs', 'Monit CPU %', 'warden CPU %', 'ratio', 'warden RSS avg', 'warden private', 'Monit RSS avg'],
    counts.map((n) => {
      const rs = results.filter((r) => r.n === n);
      return [
        n,
        rs.length,
        spread(
          rs.map((r) => r.monit.cpuPct),
          2,
        ),
        spread(
          rs.map((r) => r.warden.cpuPct),
          2,
        ),
        spread(
          rs.map((r) => r.warden.cpuPct / r.monit.cpuPct),
          2,
        ),
        spread(
          rs.map((r) => r.warden.rssAvg),
          1,
          mb,
        ),
        spread(
          rs.map((r) => r.warden.privateAvg),
          1,
          mb,
        ),
        spread(
          rs.map((r) => r.monit.rssAvg),
          1,
          mb,
        ),
      ];
    }),
  ),
);
process.exit(0);
