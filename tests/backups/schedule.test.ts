import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBackups } from '../../src/backups/index.ts';
import type { Part } from '../../src/lib/part.ts';
import { insertBackup, listBackups } from '../../src/store/backups.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/until.ts';
import { backupHarness } from './harness.ts';

const hour = 3_600_000;

async function startAll(parts: Part[]): Promise<() => Promise<void>> {
  for (const part of parts) await part.start();
  return async () => {
    for (const part of parts.toReversed()) await part.stop();
  };
}

describe('scheduled backups', () => {
  it('backs up on schedule, rehearses a restore on verifySchedule, and stops cleanly', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'app.txt'), 'hello\n');
    // Saturday 2026-11-28 02:00 UTC: the backup is due at 03:00, the weekly rehearsal on Sunday 04:30.
    const clock = new ManualClock(Date.UTC(2026, 10, 28, 2, 0, 0));
    const h = await backupHarness(dir, `  targets:\n    app: { files: [${dir}/app.txt] }\n`, { clock });
    const stop = await startAll(createBackups(h.deps).parts);
    try {
      await clock.advance(hour);
      const good = await waitFor('the 03:00 backup', async () =>
        (await listBackups(h.store, 'app')).find((b) => b.state === 'good'),
      );
      expect(new Date(good.startedAt).toISOString()).toBe('2026-11-28T03:00:00.000Z');
      expect(good.restoreVerifiedAt).toBeNull();

      await clock.advance(25.5 * hour);
      const rehearsed = await waitFor('the Sunday rehearsal', async () =>
        (await listBackups(h.store, 'app')).find((b) => b.restoreVerifiedAt !== null),
      );
      expect(rehearsed.id).toBe(good.id);
      expect(new Date(rehearsed.restoreVerifiedAt!).toISOString()).toBe('2026-11-29T04:30:00.000Z');
      expect(rehearsed.verifyDetail).toMatch(/extracted 1 files into a scratch folder$/);
    } finally {
      await stop();
      await h.close();
    }
  });

  it('opens backup-failed and then backup-stale while backups fail, and resolves both after a good one', async () => {
    const dir = tempDir();
    const clock = new ManualClock(Date.UTC(2026, 10, 28, 2, 0, 0));
    const h = await backupHarness(dir, `  targets:\n    app: { files: [${dir}/missing.txt] }\n`, { clock });
    const stop = await startAll(createBackups(h.deps).parts);
    try {
      await clock.advance(hour);
      const failed = await waitFor('backup-failed', () => h.incident('backup-failed:app'));
      expect(failed).toMatchObject({
        state: 'open',
        detail: `app: ${dir}/missing.txt: not found; check backups.targets.app.files`,
      });
      expect(await h.incident('backup-stale:app')).toBeUndefined();

      await clock.advance(27 * hour);
      const stale = await waitFor('backup-stale', () => h.incident('backup-stale:app'));
      expect(stale.state).toBe('open');
      expect(stale.detail).toMatch(/^no good backup for 1d \dh \(maxAge 1d 2h\)$/);
      expect(await h.outboxFor('backup-stale:app')).toBe(1);

      // the next day's 03:00 run fell inside those 27 hours: let it report before running one by hand
      await waitFor('the second scheduled run', async () =>
        ((await h.incident('backup-failed:app'))?.count ?? 0) >= 2 ? true : undefined,
      );
      fs.writeFileSync(path.join(dir, 'missing.txt'), 'back\n');
      expect((await h.service.run('app')).ok).toBe(true);
      expect(await h.incident('backup-failed:app')).toMatchObject({ state: 'resolved' });
      expect(await h.incident('backup-stale:app')).toMatchObject({ state: 'resolved' });
    } finally {
      await stop();
      await h.close();
    }
  });

  it('at start marks backups whose writer died as interrupted and removes their .partial files', async () => {
    const dir = tempDir();
    const clock = new ManualClock();
    const h = await backupHarness(dir, `  targets:\n    app: { files: [${dir}] }\n`, { clock });
    const folder = path.join(dir, 'backups', 'app');
    fs.mkdirSync(folder, { recursive: true });
    const file = path.join(folder, 'app-20261128T025900Z.tar.gz');
    fs.writeFileSync(`${file}.partial`, 'half');
    fs.writeFileSync(path.join(folder, 'stray.tar.gz.partial'), 'older');
    // A pid above the kernel's pid_max is never alive.
    await insertBackup(h.store, { target: 'app', file, label: null, startedAt: clock.now(), pid: 4_194_305 });
    const stop = await startAll(createBackups(h.deps).parts);
    try {
      expect((await listBackups(h.store, 'app')).map((b) => b.state)).toEqual(['interrupted']);
      expect(fs.readdirSync(folder)).toEqual([]);
      const reported = h
        .logLines()
        .filter((l) => l.msg === 'interrupted backups found at start; their partial files were removed');
      expect(reported).toHaveLength(1);
      expect(reported[0]).toMatchObject({ interrupted: 1, removed: [path.join(folder, 'stray.tar.gz.partial')] });
    } finally {
      await stop();
      await h.close();
    }
  });
});
