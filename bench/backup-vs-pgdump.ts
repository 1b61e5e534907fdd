// warden's backup and restore rehearsal against pg_dump -Fc and pg_restore on the same pgbench database.
// Usage: npm run build && npx tsx bench/backup-vs-pgdump.ts [SCALES=10,50]
// Needs PostgreSQL on 127.0.0.1:5432 (trust) and pgbench, pg_dump, pg_restore on PATH.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const admin = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const scales = (process.argv[2] ?? '10,50').split(',').map(Number);
if (!fs.existsSync('dist/main.js')) throw new Error('run npm run build first: the bench runs the built warden');

const urlFor = (db: string): string => {
  const u = new URL(admin);
  u.pathname = `/${db}`;
  return u.toString();
};

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const result = spawnSync(command, args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

/**
 * Wall seconds and peak RSS (MB) of one command, from GNU time; for warden (node) the RSS is its own,
 * printed by the preload, since time's figure includes pg_dump's.
 */
function timed(command: string, args: string[]): { seconds: number; rssMb: number; stdout: string } {
  const result = spawnSync('/usr/bin/time', ['-f', 'TIME %e %M', command, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const match = /TIME ([\d.]+) (\d+)\s*$/.exec(result.stderr);
  if (result.status !== 0 || !match) throw new Error(`${command} failed:\n${result.stderr}`);
  const own = /MAXRSS_KB (\d+)/.exec(result.stderr);
  return { seconds: Number(match[1]), rssMb: Number(own?.[1] ?? match[2]) / 1024, stdout: result.stdout };
}

const warden = ['--max-semi-space-size=1', '--import', './bench/lib/print-max-rss.mjs', 'dist/main.js'];

const best = <T extends { seconds: number; rssMb: number }>(runs: T[]): T =>
  runs.reduce((a, b) =>
    b.seconds < a.seconds ? { ...b, rssMb: Math.max(a.rssMb, b.rssMb) } : { ...a, rssMb: Math.max(a.rssMb, b.rssMb) },
  );

const psql = (sql: string): string => run('psql', [admin, '-Atqc', sql]);

const rows: string[] = [];
for (const scale of scales) {
  const db = `warden_bench_s${scale}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-bench-backup-'));
  psql(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  psql(`CREATE DATABASE ${db}`);
  try {
    run('pgbench', ['-i', '-q', '-s', String(scale), urlFor(db)]);
    const size = Number(psql(`SELECT pg_database_size('${db}')`)) / 1024 ** 2;
    const config = path.join(dir, 'warden.config.yaml');
    fs.writeFileSync(
      config,
      `store: { url: "sqlite:${dir}/w.db" }\nlog: { file: ${dir}/logs/w.log }\ntimezone: UTC\nbackups:\n  dir: ${dir}/backups\n  targets:\n    bench: { postgres: "${urlFor(db)}" }\n`,
    );
    // Alternating order (A B B A) and the faster of two runs each, so cache warm-up favours neither.
    const dumpRaw = () => timed('pg_dump', ['-Fc', '-f', path.join(dir, 'raw.dump'), urlFor(db)]);
    const dumpWarden = () => timed(process.execPath, [...warden, 'backup', 'run', 'bench', '--config', config]);
    const dumpWarm = () => {
      const result = spawnSync(
        process.execPath,
        ['--max-semi-space-size=1', 'bench/lib/backup-warm.mjs', 'backup', 'run', 'bench', '--config', config],
        { encoding: 'utf8' },
      );
      const ms = /WARM_MS (\d+)/.exec(result.stderr)?.[1];
      if (result.status !== 0 || !ms) throw new Error(`warm backup failed:\n${result.stderr}`);
      return Number(ms) / 1000;
    };
    const raws = [dumpRaw()];
    const wardens = [dumpWarden()];
    const warm = Math.min(dumpWarm(), dumpWarm());
    wardens.push(dumpWarden());
    raws.push(dumpRaw());
    const raw = best(raws);
    const ours = best(wardens);
    const id = /#(\d+) good/.exec(wardens[1]!.stdout)?.[1];
    if (!id) throw new Error(`warden backup did not report a good backup:\n${wardens[1]!.stdout}`);
    const file = path.join(dir, 'backups', 'bench', /(\S+\.dump) —/.exec(wardens[1]!.stdout)![1]!.split('/').pop()!);
    const dumpMb = fs.statSync(file).size / 1024 ** 2;

    const scratch = `${db}_raw_restore`;
    const restoreRaw = () =>
      timed('sh', [
        '-c',
        `createdb -h 127.0.0.1 -U postgres ${scratch} && pg_restore -h 127.0.0.1 -U postgres --exit-on-error --no-owner --no-privileges -d ${scratch} ${file} && dropdb -h 127.0.0.1 -U postgres ${scratch}`,
      ]);
    const rehearse = () =>
      timed(process.execPath, [...warden, 'backup', 'verify', id, '--restore', '--config', config]);
    const rawRestores = [restoreRaw()];
    const rehearsals = [rehearse(), rehearse()];
    rawRestores.push(restoreRaw());
    const rawRestore = best(rawRestores);
    const rehearsal = best(rehearsals);
    rows.push(
      `| ${scale} | ${size.toFixed(0)} MB | ${dumpMb.toFixed(0)} MB | ${raw.seconds.toFixed(1)} s | ${ours.seconds.toFixed(1)} s | ${(ours.seconds / raw.seconds).toFixed(3)} | ${warm.toFixed(1)} s | ${(warm / raw.seconds).toFixed(3)} | ${ours.rssMb.toFixed(0)} MB (pg_dump ${raw.rssMb.toFixed(0)} MB) | ${rawRestore.seconds.toFixed(1)} s | ${rehearsal.seconds.toFixed(1)} s | ${(rehearsal.seconds / rawRestore.seconds).toFixed(3)} | ${rehearsal.rssMb.toFixed(0)} MB |`,
    );
    console.log(rows.at(-1));
  } finally {
    psql(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

console.log(
  [
    '',
    '| pgbench scale | database | dump file | pg_dump -Fc | warden backup run | ratio | the same in a running warden | ratio | warden peak RSS | createdb + pg_restore + dropdb | warden verify --restore | ratio | warden peak RSS |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n'),
);
