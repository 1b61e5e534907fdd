import type { ConfigProblem } from './config-error.ts';

/** Which environment variables the config used, and where. */
export interface Substitutions {
  /** Variables that were not set at this key or below it (their problem is already reported). */
  unsetAt(keyPath: string): string[];
  /** The variable a key's whole value came from (`token: ${BOT_TOKEN}` → `BOT_TOKEN`), else null. */
  variableOf(keyPath: string): string | null;
  /** Values that came from the environment into a place that holds a secret. */
  secrets: string[];
}

const placeholder = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Shell strings go to `sh -c` as written: the shell expands `${VAR}` from warden's environment, so a
 * value (`x; touch PWNED`) stays data instead of becoming part of the command.
 */
export function isShellString(keyPath: readonly string[]): boolean {
  const where = keyPath.join('.');
  return /^services\.[^.]+\.(check\.command\.run|restart\.command)$/.test(where);
}

/** PGPASSWORD, API_KEY, TELEGRAM_BOT_TOKEN, AWS_SECRET_ACCESS_KEY: a name that says it holds a secret. */
export function isSecretName(name: string): boolean {
  return /PASSW(OR)?D|TOKEN|SECRET|(^|_)(API)?KEYS?($|_)|APIKEY|PRIVATE|CREDENTIAL/i.test(name);
}

/** Keys whose whole value is a secret, and the user:password part of any URL. */
const secretKey = /(^|\.)(token|password)$/;
const urlPassword = /^[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:([^\s@/]*)@/i;
/** `PGPASSWORD=${PGPW}` or `--password="$PW"` in a shell string: the variable holds a secret. */
const shellAssignment = /([A-Za-z_][A-Za-z0-9_-]*)=["']?\$\{?([A-Za-z_][A-Za-z0-9_]*)/g;
const shellReference = /\$\{?([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string of a parsed YAML tree. `${VAR}` with VAR
 * unset is a problem naming the variable and the key (an empty value is kept: set VAR= to mean
 * empty); `${VAR:-}` is the way to allow it unset. Shell strings are left to the shell.
 */
export function interpolate(
  value: unknown,
  env: NodeJS.ProcessEnv,
  options: { redact?: readonly string[] } = {},
): { value: unknown; substitutions: Substitutions; problems: ConfigProblem[] } {
  const unset = new Map<string, string[]>();
  const wholeValue = new Map<string, string>();
  const secrets: string[] = [];
  const secretVariables = new Set(options.redact ?? []);
  for (const name of Object.keys(env)) if (isSecretName(name)) secretVariables.add(name);

  const replace = (node: unknown, keyPath: string[]): unknown => {
    if (typeof node === 'string') {
      const where = keyPath.join('.');
      if (isShellString(keyPath)) {
        for (const [, target, name] of node.matchAll(shellAssignment))
          if (isSecretName(target!)) secretVariables.add(name!);
        for (const [, name] of node.matchAll(shellReference)) if (isSecretName(name!)) secretVariables.add(name!);
        return node;
      }
      const whole = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}$/.exec(node.trim());
      if (whole) wholeValue.set(where, whole[1]!);
      const replaced = node.replace(placeholder, (_match, name: string, fallback: string | undefined) => {
        const found = env[name];
        if (fallback !== undefined) return found === undefined || found === '' ? fallback : found;
        if (found !== undefined) return found;
        unset.set(where, [...(unset.get(where) ?? []), name]);
        return '';
      });
      if (replaced !== node && secretKey.test(where) && replaced !== '') secrets.push(replaced);
      const password = urlPassword.exec(replaced)?.[1];
      if (password && password !== urlPassword.exec(node)?.[1]) secrets.push(password, decodeSafe(password));
      return replaced;
    }
    if (Array.isArray(node)) return node.map((item, i) => replace(item, [...keyPath, String(i)]));
    if (typeof node === 'object' && node !== null) {
      return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, replace(item, [...keyPath, key])]));
    }
    return node;
  };
  const replaced = replace(value, []);
  for (const name of secretVariables) {
    const found = env[name];
    if (found) secrets.push(found);
  }
  const problems = [...unset.entries()].map(([where, names]) => ({
    path: where,
    message:
      names.length === 1
        ? `environment variable ${names[0]} is not set; set it, or write \${${names[0]}:-} to allow it empty`
        : `environment variables ${names.join(', ')} are not set; set them, or write \${NAME:-} to allow one empty`,
  }));
  return {
    value: replaced,
    problems,
    substitutions: {
      unsetAt: (keyPath) =>
        [...unset.entries()]
          .filter(([where]) => where === keyPath || where.startsWith(`${keyPath}.`))
          .flatMap(([, names]) => names),
      variableOf: (keyPath) => wholeValue.get(keyPath) ?? null,
      secrets: [...new Set(secrets)],
    },
  };
}

function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
