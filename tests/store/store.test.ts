import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestBackupPerTarget } from '../../src/store/backups.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { latestRun, recordRunStart, recordRunStop, recordRunTick } from '../../src/store/runs.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { captureLogger } from '../helpers/logger.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { until } from '../helpers/until.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

const dialects: Array<[string, () => string]> = [
  ['sqlite', () => `sqlite:${path.join(tempDir(), 'nested', 'warden.db')}`],
  ['postgres', () => database.url],
];

describe.each(dialects)('store on %s', (_dialect, url) => {
  async function withStore(work: (store: Store) => Promise<void>): Promise<void> {
    const location = url();
    // opening twice proves the migrations are idempotent
    await (await openStore(location)).close();
    const store = await openStore(location);
    try {
      await work(store);
    } finally {
      await store.close();
      await store.close();
    }
  }

  it('records runs and tells a clean stop from a crash', () =>
    withStore(async (store) => {
      const first = await recordRunStart(store, { at: 1000, pid: 11, host: 'h', version: '0.1.0', alerts: 'dry-run' });
      expect(first.previous?.stoppedAt ?? null).toBeNull();
      await recordRunTick(store, first.id, 2000);
      const second = await recordRunStart(store, {
        at: 3000,
        pid: 12,
        host: 'h',
        version: '0.1.0',
        alerts: 'telegram',
      });
      expect(second.previous).toMatchObject({ id: first.id, stoppedAt: null, lastTickAt: 2000, pid: 11 });
      await recordRunStop(store, second.id, 4000);
      expect(await latestRun(store)).toMatchObject({
        id: second.id,
        startedAt: 3000,
        stoppedAt: 4000,
        pid: 12,
        alerts: 'telegram',
      });
    }));

  it('returns the newest backup of each target', () =>
    withStore(async (store) => {
      const row = { file: 'f', size_bytes: 10, sha256: null, finished_at: null, verified_at: null, error: null };
      await store.db
        .insertInto('backups')
        .values([
          { ...row, target: 'main', state: 'good', started_at: 1 },
          { ...row, target: 'main', state: 'failed', started_at: 2, error: 'pg_dump exited 1' },
          { ...row, target: 'files', state: 'unverified', started_at: 3 },
        ])
        .execute();
      const latest = await latestBackupPerTarget(store);
      expect(latest.map((b) => [b.target, b.state, b.error])).toEqual([
        ['files', 'unverified', null],
        ['main', 'failed', 'pg_dump exited 1'],
      ]);
    }));
});

describe('store errors', () => {
  it('names host:port and the fix when PostgreSQL is unreachable, without the password', async () => {
    const error = await openStore('postgres://warden:s3cret-pw@127.0.0.1:1/warden').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /^store 127\.0\.0\.1:1\/warden: cannot connect \(.*ECONNREFUSED.*\); check store\.url$/,
    );
    expect((error as Error).message).not.toContain('s3cret-pw');
  });

  it('names the file when SQLite cannot open it', async () => {
    const notAFolder = path.join(tempDir(), 'file');
    fs.writeFileSync(notAFolder, '');
    const error = await openStore(`sqlite:${notAFolder}/x.db`).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /^store .*\/file\/x\.db: cannot open \(E\w+: .*\); check store\.url and that the folder is writable$/,
    );
  });

  it('survives a PostgreSQL backend dying under an idle pooled connection', async () => {
    const logger = captureLogger();
    const store = await openStore(database.url, { log: logger.log });
    try {
      await latestRun(store);
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      );
      await admin.end();
      // the pool has seen its idle client die (an unhandled 'error' there would have killed us)
      await until(() => logger.lines().some((l) => l.msg === 'store connection lost'), 10_000, 'the pool error');
      await expect(latestRun(store)).resolves.toMatchObject({ id: expect.any(Number) as number });
    } finally {
      await store.close();
    }
  });
});
