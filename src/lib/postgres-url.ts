/** `postgres://user:secret@db:5432/warden` → `db:5432/warden` (never the password). */
export function describePostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'postgres (unparseable URL)';
  }
}
