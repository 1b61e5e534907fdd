// Cold start of `warden run` (built) to the first /healthz 200, and idle RSS after 60 s.
// Targets (issue 2): ready < 1.5 s, idle RSS < 80 MB. Usage: npm run build && node bench/cold-start.mjs [runs] [idleSeconds]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const runs = Number(process.argv[2] ?? 10);
const idleSeconds = Number(process.argv[3] ?? 60);

const freePort = () =>
  new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

async function startWarden() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-bench-'));
  const port = await freePort();
  const config = path.join(dir, 'warden.config.yaml');
  fs.writeFileSync(
    config,
    `http: { listen: "127.0.0.1:${port}" }\nstore: { url: "sqlite:./data/warden.db" }\nlog: { file: logs/warden.log }\ndisk: { paths: [.] }\n`,
  );
  const started = performance.now();
  const child = spawn(process.execPath, ['dist/main.js', 'run', '--config', config], { stdio: 'ignore' });
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (child.exitCode !== null) throw new Error(`warden exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return { child, dir, readyMs: performance.now() - started };
}

async function stop({ child, dir }) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  fs.rmSync(dir, { recursive: true, force: true });
}

const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const percentile = (values, p) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];

const readyTimes = [];
for (let i = 0; i < runs; i++) {
  const warden = await startWarden();
  readyTimes.push(warden.readyMs);
  await stop(warden);
}

const idle = await startWarden();
await new Promise((r) => setTimeout(r, idleSeconds * 1000));
const idleRss = rssMb(idle.child.pid);
await stop(idle);

console.log(`| metric | value | target |`);
console.log(`|---|---|---|`);
console.log(`| cold start → /healthz 200, p50 of ${runs} | ${percentile(readyTimes, 50).toFixed(0)} ms | < 1500 ms |`);
console.log(`| cold start → /healthz 200, max of ${runs} | ${Math.max(...readyTimes).toFixed(0)} ms | < 1500 ms |`);
console.log(`| idle RSS after ${idleSeconds} s | ${idleRss.toFixed(1)} MB | < 80 MB |`);
