import path from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { formatSize } from '../config/units.ts';
import { systemClock } from '../lib/clock.ts';
import { WardenError } from '../lib/errors.ts';
import { createScrubber } from '../lib/redact.ts';
import { tailFile } from '../lib/tail-file.ts';
import { createLogHygiene, pm2LogsOf } from '../logs/hygiene.ts';
import { openStore } from '../store/db.ts';
import { createPm2Client, pm2Home, socketAccepts } from '../pm2/client.ts';
import type { Pm2Client } from '../pm2/types.ts';
import type { Command } from './command.ts';
import type { Io } from './io.ts';

export const logs = {
  usage: 'logs rotate|prune [--dry-run] | logs SERVICE [--lines N]',
  summary: "rotate or prune logs now (--dry-run lists what would happen), or show a pm2 service's log paths and tail",
  options: { 'dry-run': { type: 'boolean' }, lines: { type: 'string' } },
  async run({ configPath, io, positionals, options }) {
    const [what, ...extra] = positionals;
    if (!what || extra.length > 0) {
      io.err(`usage: warden ${logs.usage}`);
      return 64;
    }
    const { config, secrets } = loadConfig(configPath, io.env);
    const dryRun = options['dry-run'] === true;
    if (what === 'rotate' || what === 'prune') return withHygiene(config, secrets, io, what, dryRun);
    const lines = options.lines === undefined ? 20 : Number(options.lines);
    if (!Number.isInteger(lines) || lines < 1) {
      io.err(`warden logs: --lines must be a whole number like 50; usage: warden ${logs.usage}`);
      return 64;
    }
    return showService(config, io, what, lines);
  },
} satisfies Command;

async function withHygiene(
  config: Config,
  secrets: string[],
  io: Io,
  what: 'rotate' | 'prune',
  dryRun: boolean,
): Promise<number> {
  const pm2 = await attachPm2(config, io.env);
  const store = await openStore(config.store.url);
  try {
    const hygiene = createLogHygiene({
      // the daemon's scanner owns pattern offsets; this one-off process must not advance them
      config: { ...config.logs, patterns: [] },
      store,
      incidents: { observe: () => Promise.resolve(), stateOf: () => Promise.resolve(null) },
      pm2: pm2 && config.logs.pm2 ? pm2LogsOf(pm2) : null,
      clock: systemClock,
      log: pino({ level: 'silent' }),
      scrub: createScrubber(secrets),
      timezone: config.timezone,
    });
    return what === 'rotate' ? await rotate(hygiene, io, dryRun) : await prune(hygiene, io, dryRun);
  } finally {
    await store.close();
    await pm2?.stop();
  }
}

async function rotate(hygiene: ReturnType<typeof createLogHygiene>, io: Io, dryRun: boolean): Promise<number> {
  const results = await hygiene.rotateAll({ dryRun });
  if (results.length === 0) io.out('no non-empty live log to rotate');
  for (const r of results) {
    if (dryRun) io.out(`would rotate ${r.file} (${formatSize(r.bytes)})`);
    else if (r.rotation)
      io.out(`✓ ${r.file} → ${path.basename(r.rotation.rotatedTo)} (${formatSize(r.bytes)}, ${r.rotation.mode})`);
    else io.out(`✗ ${r.file}: ${r.error}`);
  }
  return results.some((r) => r.error !== undefined) ? 1 : 0;
}

async function prune(hygiene: ReturnType<typeof createLogHygiene>, io: Io, dryRun: boolean): Promise<number> {
  const result = await hygiene.prune({ dryRun });
  const listed = dryRun ? result.candidates : result.deleted;
  for (const c of listed)
    io.out(`${dryRun ? 'would delete' : 'deleted'} ${c.file} (${formatSize(c.bytes)}, ${c.reason})`);
  for (const f of result.failed) io.out(`✗ ${f.file}: ${f.error}`);
  const bytes = dryRun ? result.candidates.reduce((sum, c) => sum + c.bytes, 0) : result.freedBytes;
  io.out(
    `${dryRun ? 'would free' : 'freed'} ${formatSize(bytes)} in ${listed.length} rotated log${listed.length === 1 ? '' : 's'}`,
  );
  return result.failed.length > 0 ? 1 : 0;
}

async function showService(config: Config, io: Io, name: string, lines: number): Promise<number> {
  const service = config.services[name];
  if (!service) {
    io.err(
      `warden logs: "${name}" is not rotate, prune or a configured service (known: ${Object.keys(config.services).join(', ') || 'none'}); usage: warden ${logs.usage}`,
    );
    return 64;
  }
  if (service.pm2 === null)
    throw new WardenError(
      'NOT_PM2',
      `${name} is not managed by pm2, so warden does not know its log files; set services.${name}.pm2`,
    );
  const pm2 = await attachPm2(config, io.env);
  if (!pm2) throw new WardenError('PM2_UNAVAILABLE', `no pm2 daemon at PM2_HOME=${pm2Home(io.env)}; is pm2 running?`);
  try {
    const app = await pm2.describe(service.pm2);
    if (!app) throw new WardenError('NOT_PM2', `pm2 has no app "${service.pm2}" (services.${name}.pm2)`);
    for (const [label, file] of [
      ['out', app.outLogPath ?? null],
      ['error', app.errLogPath],
    ] as const) {
      io.out(`${label}: ${file ?? '(none)'}`);
      if (file)
        for (const line of (await tailFile(file, lines, 64 * 1024)).split('\n').filter(Boolean)) io.out(`  ${line}`);
    }
    return 0;
  } finally {
    await pm2.stop();
  }
}

/** The pm2 client when some service is pm2-managed and a daemon answers; never starts one. */
async function attachPm2(config: Config, env: NodeJS.ProcessEnv): Promise<Pm2Client | null> {
  if (!Object.values(config.services).some((s) => s.pm2 !== null)) return null;
  const home = pm2Home(env);
  if (!(await socketAccepts(path.join(home, 'rpc.sock'), 2000))) return null;
  const client = createPm2Client({ home, log: pino({ level: 'silent' }), clock: systemClock, callTimeoutMs: 5000 });
  await client.start();
  return client;
}
