import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../../config/schema.ts';
import type { ProbeResult } from './types.ts';

/** The pm2 daemon of PM2_HOME answers on its socket (warden attaches to it, never starts one). */
export async function probePm2(config: Config, env: NodeJS.ProcessEnv): Promise<ProbeResult[]> {
  const managed = Object.values(config.services).filter((s) => s.pm2 !== null);
  if (managed.length === 0) return [];
  const home = env.PM2_HOME ?? path.join(os.homedir(), '.pm2');
  const socket = path.join(home, 'rpc.sock');
  const reachable = await new Promise<boolean>((resolve) => {
    const connection = net.connect(socket);
    connection.setTimeout(2000, () => connection.destroy());
    connection.once('connect', () => {
      connection.destroy();
      resolve(true);
    });
    connection.once('error', () => resolve(false));
    connection.once('close', () => resolve(false));
  });
  return [
    reachable
      ? { name: 'pm2', ok: true, detail: `daemon running (PM2_HOME=${home}); ${managed.length} pm2-managed service(s)` }
      : {
          name: 'pm2',
          ok: false,
          detail: `no pm2 daemon at PM2_HOME=${home}`,
          fix: 'start your apps with pm2 start ecosystem.config.js, or set PM2_HOME',
        },
  ];
}
