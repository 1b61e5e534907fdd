import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Config } from '../../config/schema.ts';
import { describeError } from '../../lib/errors.ts';
import { describePostgresUrl } from '../../lib/postgres-url.ts';
import type { ProbeResult } from './types.ts';

const run = promisify(execFile);

/** Every PostgreSQL warden watches or backs up answers; pg_dump/pg_restore can handle the backed-up servers. */
export async function probePostgresTargets(config: Config): Promise<ProbeResult[]> {
  const targets = [
    ...Object.values(config.services).flatMap((s) =>
      s.check.kind === 'postgres' ? [{ name: `postgres ${s.name}`, url: s.check.options.url, backup: false }] : [],
    ),
    ...Object.entries(config.backups.targets).flatMap(([name, t]) =>
      t.postgres ? [{ name: `backup target ${name}`, url: t.postgres, backup: true }] : [],
    ),
  ];
  const results: ProbeResult[] = [];
  for (const target of targets) {
    const serverMajor = await serverMajorVersion(target.url);
    if (typeof serverMajor === 'string') {
      results.push({ name: target.name, ok: false, detail: serverMajor, fix: 'start PostgreSQL or correct the URL' });
      continue;
    }
    results.push({
      name: target.name,
      ok: true,
      detail: `${describePostgresUrl(target.url)} answers (PostgreSQL ${serverMajor})`,
    });
    if (target.backup) results.push(...(await probeDumpTools(target.name, serverMajor)));
  }
  return results;
}

async function serverMajorVersion(url: string): Promise<number | string> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const result = await client.query<{ server_version_num: string }>('SHOW server_version_num');
    return Math.floor(Number(result.rows[0]?.server_version_num) / 10000);
  } catch (err) {
    return `${describePostgresUrl(url)}: ${describeError(err)}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function probeDumpTools(name: string, serverMajor: number): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  for (const tool of ['pg_dump', 'pg_restore']) {
    try {
      const { stdout } = await run(tool, ['--version'], { timeout: 5000 });
      const major = Number(/(\d+)(\.\d+)?/.exec(stdout)?.[1]);
      results.push(
        major >= serverMajor
          ? { name: `${name} ${tool}`, ok: true, detail: `${tool} ${major} can handle server ${serverMajor}` }
          : {
              name: `${name} ${tool}`,
              ok: false,
              detail: `${tool} ${major} is older than server ${serverMajor}`,
              fix: `install postgresql-client-${serverMajor}`,
            },
      );
    } catch (err) {
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      results.push({
        name: `${name} ${tool}`,
        ok: false,
        detail: missing ? `${tool} not found on PATH` : describeError(err),
        fix: `install postgresql-client-${serverMajor}`,
      });
    }
  }
  return results;
}
