import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.ts';
import { openStore } from '../../src/store/db.ts';
import { latestRun } from '../../src/store/runs.ts';
import { captureIo } from '../helpers/io.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { startWarden } from '../helpers/warden-process.ts';
import { writeConfig } from '../helpers/write-config.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

/** A dry-run daemon's config in a folder of its own, on `storeUrl` or a sqlite file in the folder's data/. */
function setup(storeUrl?: string): { dir: string; config: string } {
  const dir = tempDir();
  return { dir, config: writeConfig(dir, { store: storeUrl, lines: ['disk: { paths: [.] }'] }) };
}

async function statusJson(config: string): Promise<{ daemon: { state: string; pid: number; dryRun: boolean } }> {
  const io = captureIo({});
  expect(await main(['status', '--json', '--config', config], io)).toBe(0);
  return JSON.parse(io.stdout.join('\n')) as { daemon: { state: string; pid: number; dryRun: boolean } };
}

describe('one daemon per store', { timeout: 240_000 }, () => {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    it(`refuses a second warden run on the same ${dialect} store, naming the pid, and leaves the first alone`, async () => {
      const { config } = setup(dialect === 'sqlite' ? undefined : database.url);
      const first = startWarden(['run', '--config', config], {});
      await first.ready;
      const pid = first.child.pid!;
      const before = await statusJson(config);
      expect(before.daemon).toMatchObject({ state: 'running', pid, dryRun: true });

      const second = startWarden(['run', '--config', config], {});
      expect((await second.exited).code).toBe(1);
      expect(second.output()).toContain(`in use by another warden daemon (pid ${pid})`);
      expect(second.output()).not.toMatch(/\n\s+at /);

      expect((await statusJson(config)).daemon).toMatchObject({ state: 'running', pid, dryRun: true });
      const store = await openStore(
        dialect === 'sqlite' ? `sqlite:${path.join(path.dirname(config), 'data/warden.db')}` : database.url,
      );
      try {
        const runs = await store.db.selectFrom('runs').selectAll().execute();
        expect(runs.map((r) => r.pid)).toEqual([pid]);
        expect(await store.db.selectFrom('incidents').selectAll().execute()).toEqual([]);
      } finally {
        await store.close();
      }

      first.child.kill('SIGTERM');
      expect((await first.exited).code).toBe(0);
      // the lock went with the first daemon: a new one starts
      const third = startWarden(['run', '--config', config], {});
      await third.ready;
      third.child.kill('SIGTERM');
      expect((await third.exited).code).toBe(0);
    });
  }

  it('stops as cleanly on SIGINT sent twice (Ctrl-C of npm start) as on SIGTERM: no unclean-stop page next time', async () => {
    const { dir, config } = setup();
    const first = startWarden(['run', '--config', config], {});
    await first.ready;
    // the terminal signals the whole process group, then pm2-runtime sends its own SIGINT
    first.child.kill('SIGINT');
    first.child.kill('SIGINT');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    const store = await openStore(`sqlite:${path.join(dir, 'data/warden.db')}`);
    try {
      expect((await latestRun(store))?.stoppedAt).not.toBeNull();
    } finally {
      await store.close();
    }
    const second = startWarden(['run', '--config', config], {});
    await second.ready;
    expect(second.output()).not.toMatch(/did not stop cleanly/);
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
    const reopened = await openStore(`sqlite:${path.join(dir, 'data/warden.db')}`);
    try {
      expect(await reopened.db.selectFrom('incidents').selectAll().execute()).toEqual([]);
    } finally {
      await reopened.close();
    }
  });
});
