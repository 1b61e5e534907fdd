/**
 * What an app's stdout costs warden: pm2's bus sends every log line of every app to every
 * subscriber, and warden subscribes for crash events and stderr. One pm2-managed app logging N
 * lines a second (a 110-byte access-log line), warden (built, dist/main.js) supervising it with the
 * pm2 check at the default interval; warden's CPU over SECONDS after a 15 s warm-up, from /proc.
 * Run: npm run build && npx tsx bench/supervision-chatty-app.ts [SECONDS]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { table } from './lib/alert-stack.ts';
import { createPm2Home } from './lib/supervised.ts';

const seconds = Number(process.argv[2] ?? 30);
const rates = [0, 1000, 5000];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-bench-chatty-'));
const app = path.join(dir, 'chatty.mjs');
fs.writeFileSync(
  app,
  `const perTick = Number(process.env.LINES) / 10;
const line = 'GET /api/items?page=2 200 12ms user=42 ' + 'x'.repeat(70);
setInterval(() => { for (let i = 0; i < perTick; i++) console.log(line); }, 100);
`,
);
const cpuMs = (pid: number): number => {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};
const pm2 = createPm2Home();
const rows: Array<Array<string | number>> = [];
try {
  await pm2.startDaemon();
  for (const lines of rates) {
    const name = `chatty${lines}`;
    await pm2.startApps([{ name, script: app, env: { LINES: String(lines) } }]);
    const config = path.join(dir, `${name}.yaml`);
    fs.writeFileSync(config, `http: { listen: "127.0.0.1:0" }\nservices:\n  ${name}:\n    check: { pm2: {} }\n`);
    const warden = spawn(process.execPath, ['dist/main.js', 'run', '--config', config], {
      env: { ...process.env, PM2_HOME: pm2.home, TELEGRAM_BOT_TOKEN: '' },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => warden.once('exit', resolve));
    try {
      await new Promise((r) => setTimeout(r, 15_000));
      const cpu0 = cpuMs(warden.pid!);
      const t0 = Date.now();
      await new Promise((r) => setTimeout(r, seconds * 1000));
      rows.push([lines, seconds, (((cpuMs(warden.pid!) - cpu0) / (Date.now() - t0)) * 100).toFixed(2)]);
    } finally {
      warden.kill('SIGTERM');
      await exited;
      await pm2.cli('delete', name);
    }
  }
  console.log(`warden CPU next to a chatty pm2 app, ${new Date().toISOString()}, node ${process.version}\n`);
  console.log(table(['app stdout lines/s', 'seconds', 'warden CPU (% of one core)'], rows));
} finally {
  await pm2.kill();
  fs.rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
