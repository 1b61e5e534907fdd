import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config-error.ts';
import { interpolate, type Substitutions } from './interpolate.ts';
import { configSchema, type Config } from './schema.ts';

export interface LoadedConfig {
  config: Config;
  file: string;
  /** Secret values found in the config (bot token, URL passwords): the logger scrubs them everywhere. */
  secrets: string[];
}

export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.WARDEN_CONFIG || './warden.config.yaml';
}

/** Reads, interpolates and validates the config; throws ConfigError listing every problem. */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(absolute, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (err as Error).message;
    throw new ConfigError(file, [
      {
        path: '',
        message: `cannot read the config file (${reason}); pass --config PATH or set WARDEN_CONFIG`,
      },
    ]);
  }
  return parseConfig(text, file, { env, baseDir: path.dirname(absolute) });
}

export function parseConfig(
  text: string,
  file: string,
  options: { env: NodeJS.ProcessEnv; baseDir: string },
): LoadedConfig {
  const document = parseDocument(text, {
    prettyErrors: false,
    uniqueKeys: true,
  });
  if (document.errors.length > 0) {
    throw new ConfigError(
      file,
      document.errors.map((e) => ({
        path: '',
        message: `YAML syntax: ${e.message.split('\n')[0]} (line ${e.linePos?.[0].line ?? '?'})`,
      })),
    );
  }
  const raw: unknown = document.toJS() ?? {};
  const { value, substitutions } = interpolate(raw, options.env);
  const problems = secretsWrittenInFile(raw);
  const withDefaultToken = applyDefaultToken(value, options.env);
  const schema = configSchema({
    baseDir: options.baseDir,
    hostname: os.hostname(),
    systemTimezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  });
  const result = schema.safeParse(withDefaultToken, { reportInput: true });
  if (!result.success) problems.push(...result.error.issues.flatMap((issue) => toProblems(issue, substitutions)));
  if (problems.length > 0 || !result.success) throw new ConfigError(file, problems);
  return {
    config: deepFreeze(result.data),
    file,
    secrets: collectSecrets(result.data),
  };
}

function applyDefaultToken(value: unknown, env: NodeJS.ProcessEnv): unknown {
  if (!isRecord(value)) return value;
  const telegram = value.telegram ?? {};
  if (!isRecord(telegram) || 'token' in telegram) return value;
  return {
    ...value,
    telegram: { ...telegram, token: env.TELEGRAM_BOT_TOKEN ?? '' },
  };
}

const passwordInUrl = /^[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:([^\s@/]+)@/i;

/** Secrets come from the environment only: a literal token or URL password in the file is a problem. */
function secretsWrittenInFile(raw: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  walk(raw, [], (keyPath, text) => {
    const where = keyPath.join('.');
    if (where === 'telegram.token' && text.trim() !== '' && !text.includes('${')) {
      problems.push({
        path: where,
        message: 'must come from the environment: write token: ${TELEGRAM_BOT_TOKEN}',
      });
    }
    const password = passwordInUrl.exec(text)?.[1];
    if (password !== undefined && !password.includes('${')) {
      problems.push({
        path: where,
        message: 'the password must come from the environment, e.g. postgres://user:${PGPASSWORD}@host:5432/db',
      });
    }
  });
  return problems;
}

function collectSecrets(config: Config): string[] {
  const secrets: string[] = config.telegram.token ? [config.telegram.token] : [];
  walk(config, [], (_path, text) => {
    const password = passwordInUrl.exec(text)?.[1];
    if (password) secrets.push(password, decodeURIComponentSafe(password));
  });
  return [...new Set(secrets)];
}

function toProblems(issue: z.core.$ZodIssue, substitutions: Substitutions): ConfigProblem[] {
  const where = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      path: where ? `${where}.${key}` : key,
      message: 'unknown key (check the spelling)',
    }));
  }
  const unset = substitutions.unsetAt(where);
  const suffix = unset.length > 0 ? ` (environment variable ${unset.join(', ')} is not set)` : '';
  return [{ path: where, message: describeIssue(issue) + suffix }];
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'is required';
  if (issue.code === 'invalid_type' && !/^(must|is) /.test(issue.message)) return `must be a ${issue.expected}`;
  if (issue.code === 'too_small' && issue.origin === 'array')
    return `must have at least ${String(issue.minimum)} item(s)`;
  if (issue.code === 'too_small' && issue.origin === 'string') return 'must not be empty';
  if (issue.code === 'too_small') return `must be at least ${String(issue.minimum)}`;
  if (issue.code === 'too_big') return `must be at most ${String(issue.maximum)}`;
  return issue.message;
}

function walk(value: unknown, keyPath: string[], visit: (keyPath: string[], text: string) => void): void {
  if (typeof value === 'string') visit(keyPath, value);
  else if (Array.isArray(value)) value.forEach((item, i) => walk(item, [...keyPath, String(i)], visit));
  else if (isRecord(value)) for (const [key, item] of Object.entries(value)) walk(item, [...keyPath, key], visit);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}
