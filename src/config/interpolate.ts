/** Which environment variables each config key used and which of them were not set. */
export interface Substitutions {
  unsetAt(keyPath: string): string[];
}

const placeholder = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string of a parsed YAML tree. An unset variable
 * without a default becomes an empty string, and is named in the error of the key that then fails.
 */
export function interpolate(value: unknown, env: NodeJS.ProcessEnv): { value: unknown; substitutions: Substitutions } {
  const unset = new Map<string, string[]>();
  const replace = (node: unknown, keyPath: string[]): unknown => {
    if (typeof node === 'string') {
      return node.replace(placeholder, (_match, name: string, fallback: string | undefined) => {
        const found = env[name];
        if (found !== undefined && found !== '') return found;
        if (fallback !== undefined) return fallback;
        const where = keyPath.join('.');
        unset.set(where, [...(unset.get(where) ?? []), name]);
        return '';
      });
    }
    if (Array.isArray(node)) return node.map((item, i) => replace(item, [...keyPath, String(i)]));
    if (typeof node === 'object' && node !== null) {
      return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, replace(item, [...keyPath, key])]));
    }
    return node;
  };
  return {
    value: replace(value, []),
    substitutions: {
      unsetAt: (keyPath) =>
        [...unset.entries()]
          .filter(([where]) => where === keyPath || where.startsWith(`${keyPath}.`))
          .flatMap(([, names]) => names),
    },
  };
}
