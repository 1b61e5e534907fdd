import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config-error.ts';
import { interpolate, isShellString, type Substitutions } from './interpolate.ts';
import { configSchema, type Config } from './schema.ts';

export interface LoadedConfig {
  config: Config;
  file: string;
  /**
   * Values that must never leave warden: the bot token, URL passwords, the values of variables whose
   * name says PASSWORD, TOKEN, SECRET or KEY, of those a shell string assigns to such a name, and of
   * those listed in `redact:`. One scrubber masks them on every way out.
   */
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
  const lineCounter = new LineCounter();
  // duplicates are found below, with the key's full path; the parser only knows "not unique"
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: false, lineCounter });
  const at = (offset: number): string => {
    const { line, col } = lineCounter.linePos(offset);
    return `line ${line}, column ${col}`;
  };
  const syntax = document.errors.map((e) => ({
    path: '',
    message: `${at(e.pos[0])}: YAML syntax: ${e.message.split('\n')[0]}`,
  }));
  const duplicates = duplicateKeys(document.contents, [], at);
  if (syntax.length + duplicates.length > 0) throw new ConfigError(file, [...syntax, ...duplicates]);
  if (document.contents === null) {
    throw new ConfigError(file, [
      {
        path: '',
        message:
          'the file is empty (or only comments); add the sections you need, e.g. services: (see docs/configuration.md)',
      },
    ]);
  }
  const raw: unknown = document.toJS();
  if (!isRecord(raw)) {
    throw new ConfigError(file, [
      {
        path: '',
        message: `must be a mapping of sections (host:, store:, telegram:, services: …), not ${Array.isArray(raw) ? 'a list' : 'a single value'}`,
      },
    ]);
  }
  const redact = Array.isArray(raw.redact) ? raw.redact.filter((n): n is string => typeof n === 'string') : [];
  const { value, substitutions, problems: unset } = interpolate(raw, options.env, { redact });
  const problems = [...secretsWrittenInFile(raw), ...unset];
  const withDefaultToken = applyDefaultTokens(value, options.env);
  const tokenVariable =
    isRecord(raw.telegram) && 'token' in raw.telegram
      ? substitutions.variableOf('telegram.token')
      : 'TELEGRAM_BOT_TOKEN';
  const schema = configSchema({
    baseDir: options.baseDir,
    hostname: os.hostname(),
    systemTimezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    tokenVariable,
  });
  const result = schema.safeParse(withDefaultToken, { reportInput: true });
  if (!result.success) problems.push(...result.error.issues.flatMap((issue) => toProblems(issue, substitutions)));
  if (problems.length > 0 || !result.success) throw new ConfigError(file, problems);
  return {
    config: deepFreeze(result.data),
    file,
    secrets: [...new Set([...collectSecrets(result.data), ...substitutions.secrets])],
  };
}

/** Every key written twice in one mapping, by its full path, where each one is. */
function duplicateKeys(node: unknown, keyPath: string[], at: (offset: number) => string): ConfigProblem[] {
  if (isSeq(node)) return node.items.flatMap((item, i) => duplicateKeys(item, [...keyPath, String(i)], at));
  if (!isMap(node)) return [];
  const seen = new Map<string, number>();
  const problems: ConfigProblem[] = [];
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const offset = isNode(pair.key) ? (pair.key.range?.[0] ?? 0) : 0;
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push({
        path: [...keyPath, key].join('.'),
        message: `is written twice (${at(first)} and ${at(offset)}); keys must be unique, keep one`,
      });
    } else seen.set(key, offset);
    problems.push(...duplicateKeys(pair.value, [...keyPath, key], at));
  }
  return problems;
}

/** `telegram.token` and `http.token` not written in the file are `${TELEGRAM_BOT_TOKEN:-}` and `${WARDEN_HTTP_TOKEN:-}`. */
function applyDefaultTokens(value: unknown, env: NodeJS.ProcessEnv): unknown {
  if (!isRecord(value)) return value;
  const withToken = (section: string, variable: string): unknown => {
    const current = value[section] ?? {};
    if (!isRecord(current) || 'token' in current) return current;
    return { ...current, token: env[variable] ?? '' };
  };
  return {
    ...value,
    telegram: withToken('telegram', 'TELEGRAM_BOT_TOKEN'),
    http: withToken('http', 'WARDEN_HTTP_TOKEN'),
  };
}

const passwordInUrl = /^[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:([^\s@/]+)@/i;

/** Secrets come from the environment only: a literal token or URL password in the file is a problem. */
function secretsWrittenInFile(raw: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  walk(raw, [], (keyPath, text) => {
    const where = keyPath.join('.');
    if (/^(telegram|http)\.token$/.test(where) && text.trim() !== '' && !text.includes('${')) {
      const variable = where === 'telegram.token' ? 'TELEGRAM_BOT_TOKEN' : 'WARDEN_HTTP_TOKEN';
      problems.push({
        path: where,
        message: `must come from the environment: write token: \${${variable}}`,
      });
    }
    const password = passwordInUrl.exec(text)?.[1];
    if (password !== undefined && !password.includes('${') && !isShellString(keyPath)) {
      problems.push({
        path: where,
        message: 'the password must come from the environment, e.g. postgres://user:${PGPASSWORD}@host:5432/db',
      });
    }
  });
  return problems;
}

function collectSecrets(config: Config): string[] {
  const secrets = [config.telegram.token, config.http.token].filter((t): t is string => Boolean(t));
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
  // the unset variable is already reported at this key; what it broke adds nothing
  if (substitutions.unsetAt(where).length > 0) return [];
  return [{ path: where, message: describeIssue(issue) }];
}

const typeNames: Record<string, string> = {
  object: 'a mapping (key: value)',
  record: 'a mapping (key: value)',
  array: 'a list',
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
};

/** Zod's own words ("Invalid input", "must be a object") rewritten for the operator. */
function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'is required';
  if (issue.code === 'invalid_type' && !/^(must|is) /.test(issue.message)) {
    const found = Array.isArray(issue.input) ? 'a list' : issue.input === null ? 'empty' : typeof issue.input;
    return `must be ${typeNames[issue.expected] ?? issue.expected}, not ${typeNames[found] ?? found}`;
  }
  if (issue.code === 'invalid_key') return issue.issues[0] ? describeIssue(issue.issues[0]) : 'is not a valid name';
  if (issue.code === 'invalid_union' && !/^(must|is) /.test(issue.message)) {
    const own = issue.errors.flat().find((inner) => /^(must|is) /.test(inner.message));
    return own ? own.message : 'has an unexpected form (see docs/configuration.md)';
  }
  if (issue.code === 'too_small' && issue.origin === 'array')
    return `must have at least ${String(issue.minimum)} item(s)`;
  if (issue.code === 'too_small' && issue.origin === 'string')
    return /^must /.test(issue.message) ? issue.message : 'must not be empty';
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
