/**
 * Log and disk hygiene costs (issue 13), each against its target:
 * - prune 10,000 rotated files (target < 2 s);
 * - rotate (copytruncate) and gzip a 1 GB log: throughput (target ≥ 100 MB/s) and the RSS it adds
 *   (target < 100 MB), beside `gzip -1` and `gzip -6` on the same file in the same run;
 * - idle CPU of warden's log watch on 1,000 files (chokidar, 10 folders), % of one core over 30 s;
 * - disk usage: fs.statfs against systeminformation's fsSize (which spawns df).
 * Run: npx tsx bench/log-hygiene.ts [--gb=N]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { measureDisk } from '../src/disk/usage.ts';
import { logRoots } from '../src/logs/files.ts';
import { applyPrune, findRotatedLogs, planPrune } from '../src/logs/prune.ts';
import { rotateLog } from '../src/logs/rotate.ts';
import { createLogWatch } from '../src/logs/watch.ts';
import { table } from './lib/alert-stack.ts';

const gb = Number(process.argv.find((a) => a.startsWith('--gb='))?.slice(5) ?? 1);
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-bench-logs-'));
const rows: Array<Array<string | number>> = [];
const log = pino({ level: 'silent' });

try {
  // prune 10,000 rotated files
  const logs = path.join(root, 'prune');
  fs.mkdirSync(logs);
  for (let i = 1; i <= 10_000; i++) fs.writeFileSync(path.join(logs, `app.log.${i}`), 'x');
  const started = performance.now();
  const rotated = await findRotatedLogs(logRoots([`${logs}/*.log`]), new Set());
  const result = await applyPrune(planPrune(rotated, { count: 0, maxAgeMs: 0, maxTotalBytes: null }, Date.now()));
  rows.push([
    'prune 10,000 rotated files',
    `${Math.round(performance.now() - started)} ms`,
    `${result.deleted.length} deleted`,
    '< 2 s',
  ]);

  // rotate + gzip a 1 GB log of realistic lines
  const big = path.join(root, 'big.log');
  const line = (n: number) =>
    `2026-11-29T03:12:${String(n % 60).padStart(2, '0')}.123Z INFO request id=${n} GET /api/orders/${n % 977} 200 ${n % 300}ms ua="Mozilla/5.0"\n`;
  const fd = fs.openSync(big, 'w');
  let written = 0;
  for (let n = 0; written < gb * 1024 ** 3;) {
    let chunk = '';
    for (let i = 0; i < 10_000; i++) chunk += line(n++);
    fs.writeSync(fd, chunk);
    written += Buffer.byteLength(chunk);
  }
  fs.closeSync(fd);
  const size = fs.statSync(big).size;
  for (const level of ['-1', '-6']) {
    const t = performance.now();
    const out = spawnSync('sh', ['-c', `gzip ${level} -c '${big}' > '${big}${level}.gz'`]);
    const s = (performance.now() - t) / 1000;
    if (out.status === 0)
      rows.push([
        `gzip ${level} (same file)`,
        `${s.toFixed(1)} s`,
        `${Math.round(size / 1024 ** 2 / s)} MB/s, ${(size / fs.statSync(`${big}${level}.gz`).size).toFixed(1)}× smaller`,
        '',
      ]);
    fs.rmSync(`${big}${level}.gz`, { force: true });
  }
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t = performance.now();
  const rotation = await rotateLog(big, { mode: 'copytruncate', compress: true, reopen: null, at: Date.now() });
  clearInterval(sampler);
  const s = (performance.now() - t) / 1000;
  rows.push([
    `warden rotate + gzip ${gb} GB (level 1, streaming)`,
    `${s.toFixed(1)} s`,
    `${Math.round(size / 1024 ** 2 / s)} MB/s, ${(size / fs.statSync(rotation.rotatedTo).size).toFixed(1)}× smaller, RSS +${Math.round((peak - rssBefore) / 1024 ** 2)} MB`,
    '≥ 100 MB/s, RSS < 100 MB',
  ]);
  fs.rmSync(rotation.rotatedTo);
  fs.rmSync(big);

  // idle CPU watching 1,000 files in 10 folders
  const watched = path.join(root, 'watched');
  for (let d = 0; d < 10; d++) {
    fs.mkdirSync(path.join(watched, `d${d}`), { recursive: true });
    for (let f = 0; f < 100; f++) fs.writeFileSync(path.join(watched, `d${d}`, `app${f}.log`), 'line\n');
  }
  const watch = createLogWatch({ roots: logRoots([`${watched}/*/*.log`]), log, onEvent: () => undefined });
  await watch.start();
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  await new Promise((r) => setTimeout(r, 30_000));
  const used = process.cpuUsage(cpu0);
  const cpu = ((used.user + used.system) / 1000 / (performance.now() - w0)) * 100;
  rows.push([
    `idle watch of ${watch.files().length} files (chokidar, 10 folders)`,
    '30 s',
    `${cpu.toFixed(2)} % of one core`,
    '',
  ]);
  await watch.stop();

  // disk usage: statfs against systeminformation
  const { default: si } = await import('systeminformation');
  const timeIt = async (f: () => Promise<unknown>, n: number) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await f();
    return (performance.now() - t0) / n;
  };
  rows.push(['disk usage: fs.statfs', '', `${(await timeIt(() => measureDisk('/'), 200)).toFixed(3)} ms per call`, '']);
  rows.push([
    'disk usage: systeminformation fsSize (spawns df)',
    '',
    `${(await timeIt(() => si.fsSize(), 20)).toFixed(3)} ms per call`,
    '',
  ]);
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
console.log(table(['what', 'time', 'result', 'target'], rows));
console.log(`machine: ${os.cpus().length} cores, ${execFileSync('node', ['-v']).toString().trim()}`);
