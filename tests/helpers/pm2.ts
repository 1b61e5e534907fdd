import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const pm2Bin = fileURLToPath(new URL('../../node_modules/pm2/bin/pm2', import.meta.url));
export const appsDir = fileURLToPath(new URL('../fixtures/apps/', import.meta.url));

/**
 * A pm2 home of its own for one test file, driven through pm2's CLI so the test process never
 * imports pm2 itself. `kill()` stops the daemon and its apps and removes the folder; call it in
 * afterAll. Never touches ~/.pm2.
 */
export interface Pm2Home {
  home: string;
  cli(...args: string[]): Promise<string>;
  /** Starts a pm2 daemon here (`pm2 ping` starts one when none runs). */
  startDaemon(): Promise<void>;
  /** Starts apps from an ecosystem object: `{ name, script, env, max_restarts, … }`. */
  startApps(apps: Array<Record<string, unknown>>): Promise<void>;
  pidOf(name: string): Promise<number>;
  kill(): Promise<void>;
}

export function createPm2Home(): Pm2Home {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-pm2-'));
  // the pm2 module reads PM2_HOME when first imported (by warden's pm2 client, later in the test)
  process.env.PM2_HOME = home;
  const env = { ...process.env, PM2_HOME: home, PM2_DISCRETE_MODE: 'true' };
  const cli = async (...args: string[]): Promise<string> =>
    (await run(process.execPath, [pm2Bin, ...args], { env, timeout: 30_000 })).stdout;
  return {
    home,
    cli,
    startDaemon: async () => {
      await cli('ping');
    },
    startApps: async (apps) => {
      const file = path.join(home, `apps-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
      fs.writeFileSync(file, JSON.stringify({ apps: apps.map((a) => ({ autorestart: true, ...a })) }));
      await cli('start', file);
    },
    pidOf: async (name) => {
      const list = JSON.parse(await cli('jlist')) as Array<{ name: string; pid: number }>;
      const pid = list.find((p) => p.name === name)?.pid;
      if (!pid) throw new Error(`pm2 has no running app ${name}`);
      return pid;
    },
    kill: async () => {
      try {
        if (fs.existsSync(path.join(home, 'rpc.sock'))) await cli('kill');
      } finally {
        fs.rmSync(home, { recursive: true, force: true });
      }
    },
  };
}
