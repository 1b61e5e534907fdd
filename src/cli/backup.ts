import {
  createBackupService,
  startPreflight,
  type BackupOutcome,
  type BackupService,
} from '../backups/backup-service.ts';
import type { Preflight } from '../backups/types.ts';
import { loadConfig } from '../config/load.ts';
import { formatDuration, formatSize } from '../config/units.ts';
import { systemClock } from '../lib/clock.ts';
import { WardenError } from '../lib/errors.ts';
import { listBackups, type BackupRow } from '../store/backups.ts';
import type { Command, CommandInput } from './command.ts';
import { processIo, type Io } from './io.ts';

const usage =
  'backup run [TARGET] [--label TEXT] | list [--json] | verify ID [--restore] | restore ID --to NAME [--force]';

/** `warden backup …`: backups on demand and their catalog. Failures open `backup-failed` like scheduled runs. */
export const backup = {
  usage,
  summary: 'run a backup now, list the catalog, verify a backup (--restore: rehearse it), restore one',
  options: {
    label: { type: 'string' },
    json: { type: 'boolean' },
    restore: { type: 'boolean' },
    to: { type: 'string' },
    force: { type: 'boolean' },
  },
  async run(input) {
    const [sub, ...args] = input.positionals;
    const problem = usageProblem(sub, args, input);
    if (problem) throw new WardenError('USAGE', `${problem}; usage: warden ${usage}`);
    const { config } = loadConfig(input.configPath, input.io.env);
    const names = args.length > 0 ? args : Object.keys(config.backups.targets);
    // The first target's preflight (tool versions, the server's) runs in other processes while this
    // one loads the store, the tracker and the outbox (kysely: a fifth of a second), imported here for that.
    const preflight =
      sub === 'run' && names[0] !== undefined ? startPreflight(config, names[0], input.io.env) : undefined;
    const [{ openStore }, { pino }, { alertChats, outboxWriter }, { createTracker }] = await Promise.all([
      import('../store/db.ts'),
      import('pino'),
      import('../alerts/outbox.ts'),
      import('../incidents/tracker.ts'),
    ]);
    const store = await openStore(config.store.url);
    try {
      const log = pino({ level: 'silent' });
      const incidents = createTracker({
        store,
        clock: systemClock,
        log,
        host: config.host,
        writers: [outboxWriter(alertChats(config))],
      });
      const service = createBackupService({ config, store, incidents, clock: systemClock, log, env: input.io.env });
      const context = { service, io: input.io, options: input.options };
      if (sub === 'run') return await runNow(context, names, preflight);
      if (sub === 'list') {
        await service.recover();
        return printList(await listBackups(store), input);
      }
      if (sub === 'verify')
        return report(input.io, await service.verify(Number(args[0]), { restore: !!input.options.restore }));
      const { detail, safety } = await service.restore(Number(args[0]), String(input.options.to), {
        force: !!input.options.force,
      });
      if (safety)
        input.io.out(`safety backup of ${String(input.options.to)}: #${safety.backup.id} ${safety.backup.file}`);
      input.io.out(`✓ restored #${args[0]}: ${detail}`);
      return 0;
    } finally {
      await store.close();
    }
  },
} satisfies Command;

function usageProblem(sub: string | undefined, args: string[], input: CommandInput): string | null {
  const id = /^\d+$/.test(args[0] ?? '');
  switch (sub) {
    case 'run':
      return args.length > 1 ? 'run takes at most one TARGET' : null;
    case 'list':
      return args.length > 0 ? 'list takes no arguments' : null;
    case 'verify':
      return args.length === 1 && id ? null : 'verify needs one backup ID (a number from warden backup list)';
    case 'restore':
      if (!(args.length === 1 && id)) return 'restore needs one backup ID (a number from warden backup list)';
      return typeof input.options.to === 'string' && input.options.to !== '' ? null : 'restore needs --to NAME';
    default:
      return sub === undefined ? 'missing subcommand' : `unknown subcommand "${sub}"`;
  }
}

interface Context {
  service: BackupService;
  io: Io;
  options: CommandInput['options'];
}

async function runNow(
  { service, io, options }: Context,
  names: string[],
  firstPreflight: Promise<Preflight> | undefined,
): Promise<number> {
  if (names.length === 0) {
    io.err('warden backup run: no backup targets configured; add backups.targets to the config');
    return 1;
  }
  await service.recover();
  let failed = 0;
  for (const [i, name] of names.entries()) {
    const started = Date.now();
    const progress = progressPrinter(io, name, started);
    const outcome = await service.run(name, {
      label: typeof options.label === 'string' ? options.label : null,
      ...(progress && { onProgress: progress.update }),
      ...(i === 0 && firstPreflight && { preflight: firstPreflight }),
    });
    progress?.done();
    if (report(io, outcome, Date.now() - started) !== 0) failed++;
  }
  return failed > 0 ? 1 : 0;
}

/** Bytes and rate on one rewritten line, only on a terminal; pipes and pm2 get the final line alone. */
function progressPrinter(io: Io, name: string, started: number) {
  if (io !== processIo || !process.stdout.isTTY) return null;
  let last = 0;
  return {
    update: (bytes: number) => {
      const now = Date.now();
      if (now - last < 250) return;
      last = now;
      const rate = bytes / Math.max(0.001, (now - started) / 1000);
      process.stdout.write(`\r${name}: ${formatSize(bytes)} written, ${formatSize(rate)}/s   `);
    },
    done: () => process.stdout.write('\r\x1b[K'),
  };
}

function report(io: Io, outcome: BackupOutcome, elapsedMs?: number): number {
  const b = outcome.backup;
  const took = elapsedMs !== undefined ? ` in ${formatDuration(elapsedMs)}` : '';
  if (outcome.ok) {
    io.out(`✓ ${b.target} #${b.id} good: ${formatSize(b.sizeBytes ?? 0)}${took}, ${b.file} — ${outcome.detail}`);
    return 0;
  }
  io.err(`✗ ${b.target} #${b.id} ${b.state}: ${outcome.detail}`);
  return 1;
}

function printList(rows: BackupRow[], input: CommandInput): number {
  if (input.options.json) {
    input.io.out(JSON.stringify(rows, null, 2));
    return 0;
  }
  if (rows.length === 0) {
    input.io.out('no backups recorded');
    return 0;
  }
  for (const b of rows) {
    const at = new Date(b.startedAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const size = b.sizeBytes !== null ? formatSize(b.sizeBytes) : '-';
    const rehearsed = b.restoreVerifiedAt ? ` restore-verified ${new Date(b.restoreVerifiedAt).toISOString()}` : '';
    const label = b.label ? ` [${b.label}]` : '';
    const error = b.error ? ` — ${b.error}` : '';
    input.io.out(
      `#${b.id}  ${b.target.padEnd(12)} ${b.state.padEnd(11)} ${at}  ${size.padStart(7)}${label}${rehearsed}${error}`,
    );
  }
  return 0;
}
