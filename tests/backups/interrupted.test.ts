import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.ts';
import { captureIo } from '../helpers/io.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/until.ts';
import { startWarden } from '../helpers/warden-process.ts';
import { sql } from './harness.ts';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  // Big enough that pg_dump is still writing when the test kills warden (tens of MB, hardly compressible).
  await sql(
    db.url,
    `CREATE TABLE blobs AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) AS a, md5((g * 13)::text) AS b
       FROM generate_series(1, 600000) g`,
  );
}, 120_000);

afterAll(async () => {
  await db?.drop();
});

describe('a backup interrupted by SIGKILL', () => {
  it('leaves no complete-looking file, and the next start records it as interrupted and removes the .partial', async () => {
    const dir = tempDir();
    const config = path.join(dir, 'warden.config.yaml');
    fs.writeFileSync(
      config,
      `store: { url: "sqlite:${dir}/data/w.db" }\nlog: { file: ${dir}/logs/w.log }\nbackups:\n  dir: ${dir}/backups\n  targets:\n    main: { postgres: "${db.url}" }\n`,
    );
    const folder = path.join(dir, 'backups', 'main');
    const warden = startWarden(['backup', 'run', 'main', '--config', config], {});
    const partial = await waitFor('pg_dump to be writing', () => {
      const files = fs.existsSync(folder) ? fs.readdirSync(folder) : [];
      const name = files.find((f) => f.endsWith('.dump.partial'));
      return name && fs.statSync(path.join(folder, name)).size > 256 * 1024 ? name : undefined;
    });
    warden.child.kill('SIGKILL');
    await warden.exited;
    // pg_dump dies on its broken pipe; wait until its session is gone before looking at the folder.
    const dbName = new URL(db.url).pathname.slice(1);
    await waitFor('pg_dump to end', async () => {
      const rows = await sql(
        db.url,
        `SELECT 1 FROM pg_stat_activity WHERE datname = '${dbName}' AND application_name = 'warden-backup'`,
      );
      return rows.length === 0 ? true : undefined;
    });

    expect(fs.readdirSync(folder)).toEqual([partial]);

    const io = captureIo();
    expect(await main(['backup', 'list', '--json', '--config', config], io)).toBe(0);
    const rows = JSON.parse(io.stdout.join('\n')) as Array<{ state: string; error: string; sha256: string | null }>;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ state: 'interrupted', sha256: null });
    expect(rows[0]!.error).toMatch(/^interrupted: the process writing it \(pid \d+\) ended before it finished$/);
    expect(fs.readdirSync(folder)).toEqual([]);

    const verify = captureIo();
    expect(await main(['backup', 'verify', '1', '--config', config], verify)).toBe(1);
    expect(verify.stderr).toEqual(['warden backup: backup #1 is interrupted: there is no complete file to verify']);
  }, 120_000);
});
