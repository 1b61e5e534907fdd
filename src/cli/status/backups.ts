import { formatDuration, formatSize } from '../../config/units.ts';
import { latestBackupPerTarget, latestRestoreVerifiedPerTarget } from '../../store/backups.ts';
import type { StatusSection } from './types.ts';

export const backupsStatus: StatusSection = {
  key: 'backups',
  title: 'Last backup per target',
  async read({ store, config, now }) {
    const latest = new Map((await latestBackupPerTarget(store)).map((b) => [b.target, b]));
    const rehearsed = new Map((await latestRestoreVerifiedPerTarget(store)).map((b) => [b.target, b]));
    const targets = Object.keys(config.backups.targets).map((target) => {
      const b = latest.get(target);
      const r = rehearsed.get(target);
      return {
        target,
        id: b?.id ?? null,
        state: b?.state ?? 'none yet',
        at: b ? new Date(b.finishedAt ?? b.startedAt).toISOString() : null,
        sizeBytes: b?.sizeBytes ?? null,
        label: b?.label ?? null,
        error: b?.error ?? null,
        restoreVerified: r
          ? { id: r.id, at: new Date(r.restoreVerifiedAt!).toISOString(), ageMs: now - r.restoreVerifiedAt! }
          : null,
      };
    });
    const lines = targets.map((t) => {
      const last = `${t.state}${t.id !== null ? ` #${t.id}` : ''}${t.at ? ` at ${t.at}` : ''}${t.sizeBytes !== null ? ` (${formatSize(t.sizeBytes)})` : ''}`;
      const verified = t.restoreVerified
        ? `restore-verified #${t.restoreVerified.id} ${formatDuration(Math.max(0, t.restoreVerified.ageMs))} ago`
        : 'never restore-verified';
      return `${t.target.padEnd(20)} ${last}; ${verified}${t.error ? ` — ${t.error}` : ''}`;
    });
    return { json: targets, lines: lines.length > 0 ? lines : ['no backup targets configured'] };
  },
};
