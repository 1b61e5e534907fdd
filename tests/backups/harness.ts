import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { createBackupService, type BackupServiceDeps } from '../../src/backups/backup-service.ts';
import { alertChats, outboxWriter } from '../../src/alerts/outbox.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { createTracker } from '../../src/incidents/tracker.ts';
import type { Clock } from '../../src/lib/clock.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { captureLogger } from '../helpers/logger.ts';

export interface BackupHarness {
  dir: string;
  configFile: string;
  config: Config;
  store: Store;
  service: ReturnType<typeof createBackupService>;
  /** What `createBackups` takes, sharing this harness's store, tracker and clock. */
  deps: BackupServiceDeps;
  logLines: () => Array<Record<string, unknown>>;
  incident(key: string): Promise<{ state: string; detail: string; excerpt: string | null; count: number } | undefined>;
  outboxFor(key: string): Promise<number>;
  close(): Promise<void>;
}

/** A config file in `dir` (store, backups dir, one alert chat) plus a service on a real store and tracker. */
export async function backupHarness(
  dir: string,
  backupsYaml: string,
  options: { env?: NodeJS.ProcessEnv; clock?: Clock; extraYaml?: string; configEnv?: NodeJS.ProcessEnv } = {},
): Promise<BackupHarness> {
  const configFile = path.join(dir, 'warden.config.yaml');
  const text = [
    `store: { url: "sqlite:${dir}/data/w.db" }`,
    `log: { file: ${dir}/logs/w.log }`,
    'timezone: UTC',
    'telegram: { chats: [{ id: "-100123" }] }',
    `backups:\n  dir: ${dir}/backups\n${backupsYaml}`,
    options.extraYaml ?? '',
  ].join('\n');
  fs.writeFileSync(configFile, text);
  const { config } = parseConfig(text, configFile, { env: options.configEnv ?? {}, baseDir: dir });
  const store = await openStore(config.store.url);
  const clock = options.clock ?? systemClock;
  const { log, lines } = captureLogger();
  const incidents = createTracker({ store, clock, log, writers: [outboxWriter(alertChats(config))] });
  const deps = { config, store, incidents, clock, log, env: options.env ?? process.env };
  const service = createBackupService(deps);
  return {
    dir,
    configFile,
    config,
    store,
    service,
    deps,
    logLines: lines,
    incident: async (key) => {
      const row = await store.db
        .selectFrom('incidents')
        .select(['state', 'detail', 'excerpt', 'count'])
        .where('key', '=', key)
        .orderBy('id', 'desc')
        .executeTakeFirst();
      return row;
    },
    outboxFor: async (key) => {
      const rows = await store.db
        .selectFrom('outbox')
        .innerJoin('incidents', 'incidents.id', 'outbox.incident_id')
        .select('outbox.id')
        .where('incidents.key', '=', key)
        .where('outbox.kind', '=', 'incident')
        .execute();
      return rows.length;
    },
    close: () => store.close(),
  };
}

/** Runs SQL on a database (the admin connection of the tests' server). */
export async function sql<T extends pg.QueryResultRow = Record<string, unknown>>(
  url: string,
  text: string,
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

/** Row count and an md5 over every row of `table`, in id order: equal means the same data. */
export async function tableFingerprint(url: string, table: string): Promise<{ n: string; md5: string }> {
  const [row] = await sql<{ n: string; md5: string }>(
    url,
    `SELECT count(*)::text AS n, md5(string_agg(t::text, ',' ORDER BY t.id)) AS md5 FROM ${table} t`,
  );
  return row!;
}

/** `postgres://…/db` with another database name. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** A folder of executable shell scripts put first on PATH (wrappers around the real tools). */
export function binDir(dir: string, scripts: Record<string, string>): NodeJS.ProcessEnv {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  for (const [name, body] of Object.entries(scripts)) {
    fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  }
  return { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
}
