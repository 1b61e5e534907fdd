import type { ParseArgsConfig } from 'node:util';
import type { Io } from './io.ts';

export type OptionValues = Record<string, string | boolean | undefined>;

export interface CommandInput {
  /** Words after the command name, e.g. `['run', 'main']` for `warden backup run main`. */
  positionals: string[];
  options: OptionValues;
  configPath: string;
  io: Io;
}

/**
 * One `warden` subcommand. Returns the exit code; throws ConfigError (exit 78) or WardenError
 * (one line; the exit code of its code in `lib/errors.ts`, 64 for USAGE) for failures the operator can fix.
 * @example export const status = { usage: 'status [--json]', summary: '…', options: { json: { type: 'boolean' } }, run } satisfies Command
 */
export interface Command {
  usage: string;
  summary: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** How many words may follow the command name; more is a usage error (exit 64). Unset: the command checks. */
  maxPositionals?: number;
  run(input: CommandInput): Promise<number>;
}
