import { BackupError } from '../backup-error.ts';
import { connectPg, describePg, parsePgUrl, quoteIdent, withPgEnv, type PgTarget } from '../pg-env.ts';
import { runTool } from '../run-tool.ts';
import type { BackupTargetKind, Preflight, TargetContext } from '../types.ts';

/** How many of the largest tables a restore rehearsal counts rows in. */
const largestTables = 5;
/** pg_restore runs with --exit-on-error: a restore that half-worked is a failed restore. */
const restoreArgs = ['--no-password', '--exit-on-error', '--no-owner', '--no-privileges'];

const targetOf = (ctx: TargetContext): PgTarget => parsePgUrl(ctx.config.postgres!);

async function toolMajor(tool: string, ctx: TargetContext): Promise<number> {
  const { stdout } = await runTool(tool, ['--version'], { env: ctx.env, signal: ctx.signal, timeoutMs: 10_000 });
  return Number(/(\d+)(?:\.\d+)?/.exec(stdout)?.[1]);
}

async function serverFacts(ctx: TargetContext): Promise<{ version: string; major: number; size: number }> {
  const client = await connectPg(targetOf(ctx));
  try {
    const result = await client.query<{ v: string; n: string; size: string }>(
      "SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n, pg_database_size(current_database()) AS size",
    );
    const row = result.rows[0]!;
    return { version: row.v.split(' ')[0]!, major: Math.floor(Number(row.n) / 10000), size: Number(row.size) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

// The server query and both version probes run at once: each spawn costs a few hundred ms on a busy host.
async function preflight(ctx: TargetContext): Promise<Preflight> {
  const [server, dumpMajor, restoreMajor] = await Promise.all([
    serverFacts(ctx),
    toolMajor('pg_dump', ctx),
    toolMajor('pg_restore', ctx),
  ]);
  for (const [tool, major] of [
    ['pg_dump', dumpMajor],
    ['pg_restore', restoreMajor],
  ] as const) {
    if (!(major >= server.major))
      throw new BackupError(
        `${tool} ${major || '(unknown version)'} cannot ${tool === 'pg_dump' ? 'dump' : 'restore'} a PostgreSQL ${server.major} server: install postgresql-client-${server.major}`,
      );
  }
  return { serverVersion: server.version, expectedBytes: server.size };
}

const postgresKind = {
  extension: '.dump',
  preflight,

  dump: (ctx, sink) =>
    withPgEnv(targetOf(ctx), ctx.env, async (env) => {
      await runTool('pg_dump', ['--format=custom', '--no-password'], {
        env,
        signal: ctx.signal,
        timeoutMs: ctx.config.timeoutMs,
        stdout: sink.stream(),
      });
    }),

  list: async (ctx, file) => {
    const { stdout } = await runTool('pg_restore', ['--list', file], {
      env: ctx.env,
      signal: ctx.signal,
      timeoutMs: ctx.config.timeoutMs,
    });
    const entries = stdout.split('\n').filter((l) => /^\d+;/.test(l)).length;
    if (entries === 0) throw new BackupError(`pg_restore --list found no entries in ${file}`);
    return `${entries} archive entries`;
  },

  rehearse: async (ctx, file) => {
    const target = targetOf(ctx);
    const scratch = `warden_verify_${ctx.name.replace(/\W/g, '_')}_${Date.now().toString(36)}`.slice(0, 63);
    const admin = await connectPg(target);
    try {
      await admin.query(`CREATE DATABASE ${quoteIdent(scratch)}`);
      try {
        await restoreInto(ctx, target, file, scratch);
        return await sanityCheck(ctx, target, scratch);
      } finally {
        await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(scratch)} WITH (FORCE)`);
      }
    } finally {
      await admin.end().catch(() => undefined);
    }
  },

  inspectDestination: async (ctx, to) => {
    const target = targetOf(ctx);
    const admin = await connectPg(target);
    try {
      const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [to]);
      if (found.rowCount === 0) return 'missing';
    } finally {
      await admin.end().catch(() => undefined);
    }
    const client = await connectPg(target, to);
    try {
      const objects = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
          WHERE s.nspname NOT IN ('pg_catalog', 'information_schema') AND s.nspname NOT LIKE 'pg_toast%'`,
      );
      return Number(objects.rows[0]!.n) > 0 ? 'non-empty' : 'empty';
    } finally {
      await client.end().catch(() => undefined);
    }
  },

  restore: async (ctx, file, to) => {
    const target = targetOf(ctx);
    // A database cannot be dropped from a session connected to it.
    const admin = await connectPg(target, to === target.database ? 'postgres' : target.database);
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(to)} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${quoteIdent(to)}`);
    } finally {
      await admin.end().catch(() => undefined);
    }
    await restoreInto(ctx, target, file, to);
    return sanityCheck({ ...ctx, config: { ...ctx.config, queries: [] } }, target, to);
  },

  destinationTarget: (ctx, to) => {
    const url = new URL(ctx.config.postgres!);
    url.pathname = `/${encodeURIComponent(to)}`;
    return { ...ctx.config, postgres: url.toString() };
  },
} satisfies BackupTargetKind;

export { postgresKind as postgres };

async function restoreInto(ctx: TargetContext, target: PgTarget, file: string, database: string): Promise<void> {
  await withPgEnv({ ...target, database }, ctx.env, (env) =>
    runTool('pg_restore', [...restoreArgs, '--dbname', database, file], {
      env,
      signal: ctx.signal,
      timeoutMs: ctx.config.timeoutMs,
    }),
  );
}

/** Table count, exact row counts of the largest tables, and the configured queries. */
async function sanityCheck(ctx: TargetContext, target: PgTarget, database: string): Promise<string> {
  const client = await connectPg(target, database);
  try {
    const tables = await client.query<{ name: string }>(
      `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
        ORDER BY pg_total_relation_size(c.oid) DESC, 1`,
    );
    const counts: string[] = [];
    for (const { name } of tables.rows.slice(0, largestTables)) {
      const result = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${name}`);
      counts.push(`${name} ${result.rows[0]!.n} rows`);
    }
    for (const query of ctx.config.queries) {
      try {
        await client.query(query);
      } catch (err) {
        throw new BackupError(`sanity query failed on the restored copy (${(err as Error).message}): ${query}`);
      }
    }
    const queries = ctx.config.queries.length > 0 ? `; ${ctx.config.queries.length} queries ok` : '';
    return `restored into ${describePg(target, database)}: ${tables.rowCount} tables${counts.length > 0 ? ` (${counts.join(', ')})` : ''}${queries}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}
