import { formatSize } from '../../config/units.ts';
import { latestBackupPerTarget } from '../../store/backups.ts';
import type { StatusSection } from './types.ts';

export const backupsStatus: StatusSection = {
  key: 'backups',
  title: 'Last backup per target',
  async read({ store, config }) {
    const latest = new Map((await latestBackupPerTarget(store)).map((b) => [b.target, b]));
    const targets = Object.keys(config.backups.targets).map((target) => {
      const b = latest.get(target);
      return {
        target,
        state: b?.state ?? 'none yet',
        at: b ? new Date(b.finishedAt ?? b.startedAt).toISOString() : null,
        sizeBytes: b?.sizeBytes ?? null,
        error: b?.error ?? null,
      };
    });
    const lines = targets.map(
      (t) =>
        `${t.target.padEnd(20)} ${t.state}${t.at ? ` at ${t.at}` : ''}${t.sizeBytes !== null ? ` (${formatSize(t.sizeBytes)})` : ''}${t.error ? ` — ${t.error}` : ''}`,
    );
    return { json: targets, lines: lines.length > 0 ? lines : ['no backup targets configured'] };
  },
};
