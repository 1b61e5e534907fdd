import { parseArgs } from 'node:util';
import { ConfigError } from '../config/config-error.ts';
import { defaultConfigPath } from '../config/load.ts';
import { describeError, WardenError } from '../lib/errors.ts';
import { createScrubber } from '../lib/redact.ts';
import type { Command } from './command.ts';
import type { Io } from './io.ts';
import { version } from './version.ts';

/**
 * Every subcommand by its first word, loaded on use: `warden backup run` must not pay for the
 * daemon's, the bot's and the renderer's modules at startup. A new command is one line here.
 */
export const commands: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./run.ts')).run,
  check: async () => (await import('./check.ts')).check,
  status: async () => (await import('./status.ts')).status,
  alert: async () => (await import('./alert-test.ts')).alertTest,
  silence: async () => (await import('./silence.ts')).silence,
  incidents: async () => (await import('./incidents.ts')).incidents,
  ack: async () => (await import('./ack.ts')).ack,
  backup: async () => (await import('./backup.ts')).backup,
  logs: async () => (await import('./logs.ts')).logs,
  resolve: async () => (await import('./resolve.ts')).resolve,
};

/** Runs one `warden …` invocation and returns the exit code; never throws. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v') {
    io.out(version);
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(await usage());
    return name === undefined ? 64 : 0;
  }
  const command = Object.hasOwn(commands, name) ? await commands[name]!() : undefined;
  if (!command) {
    io.err(`warden: unknown command "${name}"; run warden --help for the list`);
    return 64;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { ...command.options, config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    io.err(`warden ${name}: ${describeError(err)}; usage: warden ${command.usage}`);
    return 64;
  }
  const extra = parsed.positionals.slice(command.maxPositionals ?? Infinity);
  if (extra.length > 0) {
    io.err(`warden ${name}: unexpected argument "${extra.join(' ')}"; usage: warden ${command.usage}`);
    return 64;
  }
  if (parsed.values.help) {
    io.out(`usage: warden ${command.usage} [--config PATH]\n\n${command.summary}`);
    return 0;
  }
  const configPath = typeof parsed.values.config === 'string' ? parsed.values.config : defaultConfigPath(io.env);
  try {
    return await command.run({ positionals: parsed.positionals, options: parsed.values, configPath, io });
  } catch (err) {
    return reportFailure(err, name, io);
  }
}

function reportFailure(err: unknown, name: string, io: Io): number {
  if (err instanceof ConfigError) {
    for (const line of err.message.split('\n')) io.err(line);
    return err.exitCode;
  }
  // The config (and so the secrets) may not be loaded here: scrub by shape.
  const scrub = createScrubber([]);
  if (err instanceof WardenError) {
    io.err(`warden ${name}: ${scrub(err.message)}`);
    return err.exitCode;
  }
  io.err(`warden ${name}: unexpected error: ${scrub(describeError(err))} (please report this)`);
  return 1;
}

async function usage(): Promise<string> {
  const all = await Promise.all(Object.values(commands).map((load) => load()));
  const width = Math.max(...all.map((c) => c.usage.length));
  return [
    `warden ${version} — supervisor for small self-hosted servers`,
    '',
    'usage: warden <command> [options] [--config PATH]',
    '',
    ...all.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    '',
    'The config is --config PATH, else $WARDEN_CONFIG, else ./warden.config.yaml.',
  ].join('\n');
}
