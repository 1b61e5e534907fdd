import os from 'node:os';
import { pino } from 'pino';
import { alertChats, outboxWriter } from '../alerts/outbox.ts';
import { loadConfig } from '../config/load.ts';
import { createTracker, type IncidentTracker } from '../incidents/tracker.ts';
import { systemClock } from '../lib/clock.ts';
import { openStore } from '../store/db.ts';

/**
 * Runs `work` with the same tracker and outbox writer as the daemon, so the alert edits a shell
 * command queues are delivered by the running daemon; `by` names the shell user (`shell:alice`).
 */
export async function withShellTracker<T>(
  configPath: string,
  env: NodeJS.ProcessEnv,
  work: (tracker: IncidentTracker, by: string) => Promise<T>,
): Promise<T> {
  const { config } = loadConfig(configPath, env);
  const store = await openStore(config.store.url);
  try {
    const tracker = createTracker({
      store,
      clock: systemClock,
      log: pino({ level: 'silent' }),
      host: config.host,
      writers: [outboxWriter(alertChats(config))],
    });
    return await work(tracker, `shell:${os.userInfo().username}`);
  } finally {
    await store.close();
  }
}

/** `12`, `#12` → 12; anything else is an incident key (`service-down:api`). */
export function incidentRef(target: string): number | string {
  return /^#?\d+$/.test(target) ? Number(target.replace('#', '')) : target;
}
