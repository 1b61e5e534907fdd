import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.ts';
import { createTracker } from '../../src/incidents/tracker.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { captureIo } from '../helpers/io.ts';
import { captureLogger } from '../helpers/logger.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { backupHarness, binDir } from './harness.ts';

const realTar = execFileSync('sh', ['-c', 'command -v tar'], { encoding: 'utf8' }).trim();

describe('files target', () => {
  it('archives paths as tar.gz, rehearses an extract, and restores into a new folder', async () => {
    const dir = tempDir();
    const app = path.join(dir, 'app');
    fs.mkdirSync(path.join(app, 'uploads'), { recursive: true });
    fs.writeFileSync(path.join(app, 'config.json'), '{"a":1}\n');
    fs.writeFileSync(path.join(app, 'uploads', 'photo.bin'), Buffer.alloc(70_000, 7));
    const h = await backupHarness(dir, `  targets:\n    app: { files: [${app}], verify: restore }\n`);
    const outcome = await h.service.run('app', { label: 'pre-migrate' });
    await h.close();
    expect(outcome.ok, outcome.detail).toBe(true);
    expect(outcome.backup).toMatchObject({ state: 'good', label: 'pre-migrate' });
    expect(outcome.backup.file).toMatch(/\/app-\d{8}T\d{6}Z\.tar\.gz$/);
    expect(outcome.backup.restoreVerifiedAt).not.toBeNull();
    expect(outcome.detail).toMatch(/^sha256 ok, extracted 2 files into a scratch folder$/);

    const to = path.join(dir, 'restored');
    const io = captureIo();
    expect(await main(['backup', 'restore', String(outcome.backup.id), '--to', to, '--config', h.configFile], io)).toBe(
      0,
    );
    const restored = path.join(to, path.relative('/', app));
    expect(fs.readFileSync(path.join(restored, 'config.json'), 'utf8')).toBe('{"a":1}\n');
    expect(fs.readFileSync(path.join(restored, 'uploads', 'photo.bin'))).toEqual(Buffer.alloc(70_000, 7));

    const again = captureIo();
    expect(
      await main(['backup', 'restore', String(outcome.backup.id), '--to', to, '--config', h.configFile], again),
    ).toBe(1);
    expect(again.stderr[0]).toContain(`${to} exists and is not empty`);
  });
});

describe('warden target', () => {
  it('copies warden’s own store online and restores it to a file that opens with its incidents', async () => {
    const dir = tempDir();
    const h = await backupHarness(dir, `  targets:\n    self: { warden: true }\n`);
    const tracker = createTracker({ store: h.store, clock: systemClock, log: captureLogger().log });
    await tracker.report('service-down:api', { detail: 'connection refused' });
    const outcome = await h.service.run('self');
    expect(outcome.ok, outcome.detail).toBe(true);
    expect(outcome.detail).toMatch(/^sha256 ok, \d+ tables, 1 incidents, quick check ok$/);
    expect(fs.readdirSync(path.dirname(outcome.backup.file))).toEqual([path.basename(outcome.backup.file)]);
    const rehearsal = await h.service.verify(outcome.backup.id, { restore: true });
    expect(rehearsal.detail).toMatch(/integrity check ok$/);
    await h.close();

    const to = path.join(dir, 'restored.db');
    const io = captureIo();
    expect(await main(['backup', 'restore', String(outcome.backup.id), '--to', to, '--config', h.configFile], io)).toBe(
      0,
    );
    const copy = new Database(to, { readonly: true });
    try {
      expect(copy.prepare('SELECT key FROM incidents').all()).toEqual([{ key: 'service-down:api' }]);
    } finally {
      copy.close();
    }
  });
});

describe('a stuck backup', () => {
  it('is ended at its timeout and fails with backup-failed, leaving no file', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'app.txt'), 'x\n');
    const env = binDir(dir, { tar: `case "$1" in -czf) exec sleep 60;; esac; exec ${realTar} "$@"` });
    const h = await backupHarness(dir, `  targets:\n    app: { files: [${dir}/app.txt], timeout: 1s }\n`, { env });
    try {
      const outcome = await h.service.run('app');
      expect(outcome).toMatchObject({ ok: false, detail: 'tar timed out after 1s' });
      expect(outcome.backup.state).toBe('failed');
      expect(await h.incident('backup-failed:app')).toMatchObject({
        state: 'open',
        detail: 'app: tar timed out after 1s',
      });
      expect(fs.readdirSync(path.join(dir, 'backups', 'app'))).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
