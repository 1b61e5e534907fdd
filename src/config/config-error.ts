import { WardenError } from '../lib/errors.ts';

/** One thing wrong in the config file, at a dotted key path. */
export interface ConfigProblem {
  path: string;
  message: string;
}

/**
 * The config cannot be used. Printed one line per problem as `FILE: KEY.PATH: what is wrong`,
 * and the process exits 78 (EX_CONFIG).
 */
export class ConfigError extends WardenError {
  constructor(
    readonly file: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super('CONFIG_INVALID', problems.map((p) => formatProblem(file, p)).join('\n'));
    this.name = 'ConfigError';
  }
}

function formatProblem(file: string, problem: ConfigProblem): string {
  return problem.path ? `${file}: ${problem.path}: ${problem.message}` : `${file}: ${problem.message}`;
}
