import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { calendarKeys, planRetention } from '../../src/backups/retention.ts';
import { listBackups, type BackupRow } from '../../src/store/backups.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { backupHarness } from './harness.ts';

const day = 86_400_000;

describe('backup retention', () => {
  // The warden kind (SQLite's backup API, no child process) keeps 400 runs quick.
  it('after 400 daily backups keeps exactly the GFS set plus the newest restore-verified one', async () => {
    const dir = tempDir();
    const clock = new ManualClock(Date.UTC(2025, 0, 1, 3, 0, 0));
    const h = await backupHarness(
      dir,
      `  targets:\n    main: { warden: true, keep: { last: 3, daily: 7, weekly: 4, monthly: 6 } }\n`,
      { clock },
    );
    try {
      for (let i = 0; i < 400; i++) {
        const outcome = await h.service.run('main');
        expect(outcome.ok, outcome.detail).toBe(true);
        if (new Date(clock.now()).getUTCDate() === 15) {
          await clock.advance(90 * 60_000);
          expect((await h.service.rehearseNewest('main'))?.ok).toBe(true);
          await clock.advance(day - 90 * 60_000);
        } else await clock.advance(day);
      }
      const kept = await listBackups(h.store, 'main');
      const dates = kept.map((b) => new Date(b.startedAt).toISOString().slice(0, 10)).toSorted();
      expect(dates).toEqual([
        '2025-09-30', // monthly
        '2025-10-31',
        '2025-11-30',
        '2025-12-31',
        '2026-01-15', // the newest restore-verified backup, protected
        '2026-01-18', // weekly (Sundays)
        '2026-01-25',
        '2026-01-29', // daily
        '2026-01-30',
        '2026-01-31', // daily and monthly
        '2026-02-01', // daily and weekly
        '2026-02-02', // last 3
        '2026-02-03',
        '2026-02-04',
      ]);
      expect(kept.every((b) => b.state === 'good')).toBe(true);
      const onDisk = fs.readdirSync(path.join(dir, 'backups', 'main')).toSorted();
      expect(onDisk).toEqual(kept.map((b) => path.basename(b.file)).toSorted());
    } finally {
      await h.close();
    }
  }, 240_000);

  const row = (id: number, startedAt: number, state: BackupRow['state'], restoreVerifiedAt: number | null = null) =>
    ({
      id,
      target: 'main',
      file: `/b/${id}`,
      sizeBytes: 1,
      sha256: 'x',
      state,
      label: null,
      serverVersion: null,
      startedAt,
      finishedAt: startedAt,
      verifiedAt: startedAt,
      verifyDetail: null,
      restoreVerifiedAt,
      error: null,
      pid: null,
    }) satisfies BackupRow;

  it('never goes below keep.last and never prunes running, unverified or the newest good backup', () => {
    const t0 = Date.UTC(2026, 0, 1);
    const rows = [
      row(1, t0, 'good'),
      row(2, t0 + 1000, 'good'),
      row(3, t0 + 2000, 'good'),
      row(4, t0 + 3000, 'failed'),
      row(5, t0 + 4000, 'unverified'),
      row(6, t0 + 5000, 'running'),
    ];
    const plan = planRetention(rows, { last: 2, daily: 0, weekly: 0, monthly: 0 }, 'UTC');
    expect([...plan.kept.keys()].toSorted()).toEqual([2, 3]);
    expect(plan.kept.get(3)).toEqual(['last', 'newest-good']);
    expect(plan.pruned.map((b) => b.id)).toEqual([1]);
  });

  it('prunes failed and interrupted entries only once they are older than every kept backup', () => {
    const t0 = Date.UTC(2026, 0, 1);
    const rows = [row(1, t0, 'failed'), row(2, t0 + day, 'good'), row(3, t0 + 2 * day, 'interrupted')];
    const plan = planRetention(rows, { last: 1, daily: 0, weekly: 0, monthly: 0 }, 'UTC');
    expect(plan.pruned.map((b) => b.id)).toEqual([1]);
  });

  it('buckets days and ISO weeks in the configured timezone', () => {
    // 2026-01-04 23:30 UTC is already Monday 2026-01-05 in Seoul: a new day and a new ISO week.
    const at = Date.UTC(2026, 0, 4, 23, 30);
    expect(calendarKeys(at, 'UTC')).toEqual({ day: '2026-01-04', week: '2026-W01', month: '2026-01' });
    expect(calendarKeys(at, 'Asia/Seoul')).toEqual({ day: '2026-01-05', week: '2026-W02', month: '2026-01' });
    expect(calendarKeys(Date.UTC(2027, 0, 1, 12), 'UTC').week).toBe('2026-W53');
  });
});
