import type { Part } from '../lib/part.ts';
import { cron, type CronSlots } from '../scheduler/cron.ts';
import { every } from '../scheduler/every.ts';
import { createBackupService, type BackupServiceDeps } from './backup-service.ts';

/** How often `backup-stale` is re-read between backups. */
const staleCheckMs = 3_600_000;

/**
 * The backups capability as daemon parts: at start, interrupted backups are recovered; then each
 * target runs on its `schedule` (backup, verify, prune) and `verifySchedule` (restore rehearsal),
 * and staleness is re-read hourly. Schedules use the Clock, so tests move time.
 */
export function createBackups(deps: BackupServiceDeps & { slots?: CronSlots | undefined }): { parts: Part[] } {
  const { config, clock } = deps;
  const log = deps.log.child({ part: 'backups' });
  const service = createBackupService(deps);
  const targets = Object.keys(config.backups.targets);
  if (targets.length === 0) return { parts: [] };
  let since = clock.now();
  const timezone = config.timezone;

  const recovery: Part = {
    name: 'backups.recover',
    start: async () => {
      since = clock.now();
      await service.recover();
    },
    stop: () => Promise.resolve(),
  };
  const jobs = targets.flatMap((name) => {
    const target = config.backups.targets[name]!;
    return [
      cron({
        name: `backups.run:${name}`,
        pattern: target.schedule,
        timezone,
        clock,
        log,
        run: async (signal) => {
          await service.run(name, { signal });
        },
        slots: deps.slots,
      }),
      cron({
        name: `backups.rehearse:${name}`,
        pattern: target.verifySchedule,
        timezone,
        clock,
        log,
        run: async (signal) => {
          await service.rehearseNewest(name, signal);
        },
        slots: deps.slots,
      }),
    ];
  });
  const stale = every({
    name: 'backups.stale',
    intervalMs: staleCheckMs,
    clock,
    log,
    run: async () => {
      for (const name of targets) await service.checkStale(name, since);
    },
  });
  return { parts: [recovery, ...jobs, stale] };
}
