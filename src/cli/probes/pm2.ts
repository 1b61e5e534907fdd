import path from 'node:path';
import { pino } from 'pino';
import type { Config } from '../../config/schema.ts';
import { systemClock } from '../../lib/clock.ts';
import { describeError } from '../../lib/errors.ts';
import { createPm2Client, pm2Home, socketAccepts } from '../../pm2/client.ts';
import type { ProbeResult } from './types.ts';

/**
 * The pm2 daemon of PM2_HOME answers on its socket (warden attaches to it, never starts one), and
 * it knows every pm2-managed service's app: a typo in `pm2:` would otherwise only show as "down".
 */
export async function probePm2(
  config: Config,
  env: NodeJS.ProcessEnv,
  /** Where `npm start` keeps pm2's state: a newcomer's shell does not have that PM2_HOME set. */
  projectHome = path.resolve('.pm2'),
): Promise<ProbeResult[]> {
  const managed = Object.values(config.services).filter((s) => s.pm2 !== null);
  if (managed.length === 0) return [];
  const home = pm2Home(env);
  if (!(await socketAccepts(`${home}/rpc.sock`, 2000))) {
    const projectDaemon = projectHome !== home && (await socketAccepts(`${projectHome}/rpc.sock`, 1000));
    return [
      {
        name: 'pm2',
        ok: false,
        detail: `no pm2 daemon at PM2_HOME=${home}`,
        fix: projectDaemon
          ? `one runs at ${projectHome} (npm start's): run PM2_HOME=${projectHome} warden check`
          : 'start your apps with pm2 start ecosystem.config.js, or set PM2_HOME',
      },
    ];
  }
  const client = createPm2Client({ home, log: pino({ level: 'silent' }), clock: systemClock, callTimeoutMs: 3000 });
  try {
    await client.start();
    const apps = new Map((await client.list()).map((app) => [app.name, app]));
    return [
      { name: 'pm2', ok: true, detail: `daemon running (PM2_HOME=${home}); ${managed.length} pm2-managed service(s)` },
      ...managed.map((service): ProbeResult => {
        const app = apps.get(service.pm2!);
        const name = `pm2 app ${service.pm2} (services.${service.name})`;
        if (!app)
          return {
            name,
            ok: false,
            detail: 'not known to pm2',
            fix: `pm2 start it, or set services.${service.name}.pm2 to one of: ${[...apps.keys()].join(', ') || 'no apps yet'}`,
          };
        return app.status === 'online'
          ? { name, ok: true, detail: `online, ${app.restarts} restart(s)` }
          : { name, ok: false, detail: app.status, fix: `pm2 logs ${app.name} --err, then pm2 restart ${app.name}` };
      }),
    ];
  } catch (err) {
    return [{ name: 'pm2', ok: false, detail: `PM2_HOME=${home}: ${describeError(err)}`, fix: 'check pm2 status' }];
  } finally {
    await client.stop();
  }
}
