import { describeError } from '../../lib/errors.ts';
import type { RestartDriver } from './types.ts';

/** The part of the pm2 connection a restart needs. */
export interface Pm2Restarter {
  attached(): boolean;
  restart(app: string, signal?: AbortSignal): Promise<void>;
}

/** Restarts the service's pm2 app through pm2's API (the same as `pm2 restart NAME`). */
export function pm2Restart(pm2: Pm2Restarter | null): RestartDriver {
  return {
    async restart(service, signal) {
      const app = service.pm2 ?? service.name;
      if (!pm2?.attached())
        return { attempted: false, ok: false, detail: `pm2 restart ${app}: pm2 daemon not running` };
      try {
        await pm2.restart(app, signal);
        return { attempted: true, ok: true, detail: `pm2 restart ${app}` };
      } catch (err) {
        return { attempted: true, ok: false, detail: `pm2 restart ${app} failed: ${describeError(err)}` };
      }
    },
  };
}
