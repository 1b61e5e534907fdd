import type { Config } from '../config/schema.ts';
import type { Incident } from '../incidents/types.ts';
import type { Store } from '../store/db.ts';
import { latestBackupPerTarget, type BackupRow } from '../store/backups.ts';
import { diskSamplesSince, incidentsSince, recordDiskSamples, type DiskSample } from '../store/bot.ts';
import { diskUse } from './status.ts';

export const dayMs = 24 * 60 * 60_000;
const hourMs = 60 * 60_000;

/**
 * What the daily digest reports for the 24 hours before `at`, read from the store.
 * @example { at, services: [{ name: 'api', availability: 0.998, hourly: [1, 1, 0.75, …] }], opened: [...], … }
 */
export interface DigestData {
  at: number;
  services: Array<{ name: string; availability: number; /** 24 values, oldest hour first. */ hourly: number[] }>;
  opened: Incident[];
  resolved: Incident[];
  stillOpen: Incident[];
  restarts: number;
  backups: Array<{ target: string; latest: BackupRow | null }>;
  /** Per path: daily readings of the last 7 days, the newest being today's. */
  disk: Array<{ path: string; samples: DiskSample[] }>;
}

/** Reads the day from the store and records today's disk readings (the 7-day trend needs them). */
export async function collectDigest(config: Config, store: Store, at: number): Promise<DigestData> {
  const since = at - dayMs;
  const incidents = await incidentsSince(store, since);
  // a notice (warden-restarted) opens and resolves at once: it is news, not an outage
  const real = incidents.filter((i) => i.resolvedAt !== i.openedAt);
  const services = Object.values(config.services).map((service) => {
    const outages = real.filter((i) => i.topic === 'service-down' && i.subject === service.name);
    const hourly = Array.from({ length: 24 }, (_, h) => {
      const from = since + h * hourMs;
      return 1 - downtime(outages, from, from + hourMs, at) / hourMs;
    });
    return { name: service.name, availability: 1 - downtime(outages, since, at, at) / dayMs, hourly };
  });
  const restarts = incidents
    .flatMap((i) => i.actions)
    .filter((a) => (a.kind === 'restart' || a.kind === 'manual-restart') && a.at >= since && a.at <= at).length;
  const latest = new Map((await latestBackupPerTarget(store)).map((b) => [b.target, b]));

  const today = config.disk.paths.flatMap((p) => {
    const use = diskUse(p);
    return use ? [{ path: p, at, usedRatio: use.ratio }] : [];
  });
  await recordDiskSamples(store, today, at - 8 * dayMs);
  const samples = await diskSamplesSince(store, at - 7 * dayMs);

  return {
    at,
    services,
    opened: real.filter((i) => i.openedAt >= since),
    resolved: real.filter((i) => i.resolvedAt !== null && i.resolvedAt >= since),
    stillOpen: real.filter((i) => i.state !== 'resolved'),
    restarts,
    backups: Object.keys(config.backups.targets).map((target) => ({ target, latest: latest.get(target) ?? null })),
    disk: config.disk.paths.map((p) => ({ path: p, samples: samples.filter((s) => s.path === p) })),
  };
}

/** How long the outages overlap [from, to); an open one lasts until `now`. */
function downtime(outages: readonly Incident[], from: number, to: number, now: number): number {
  let total = 0;
  for (const outage of outages) {
    const start = Math.max(from, outage.openedAt);
    const end = Math.min(to, outage.resolvedAt ?? now);
    if (end > start) total += end - start;
  }
  return Math.min(total, to - from);
}
