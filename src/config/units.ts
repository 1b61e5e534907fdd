const durationUnits: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
const sizeUnits: Record<string, number> = {
  b: 1,
  kb: 1024,
  mb: 1024 ** 2,
  gb: 1024 ** 3,
  tb: 1024 ** 4,
};

/** `500ms`, `10s`, `5m`, `2h`, `7d` → milliseconds; anything else → undefined. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * durationUnits[match[2]!]!);
}

/** `512KB`, `100MB`, `2GB` → bytes (binary units); anything else → undefined. */
export function parseSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb)$/i.exec(text.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * sizeUnits[match[2]!.toLowerCase()]!);
}

/** `80%` → 0.8; anything else → undefined. */
export function parseRatio(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*%$/.exec(text.trim());
  if (!match) return undefined;
  const ratio = Number(match[1]) / 100;
  return ratio <= 1 ? ratio : undefined;
}

/** `500MB/h` → bytes per hour. */
export function parseRate(text: string): { bytes: number; perMs: number } | undefined {
  const [size, per] = text.split('/');
  if (!size || !per) return undefined;
  const bytes = parseSize(size);
  const perMs = parseDuration(/^\d/.test(per) ? per : `1${per}`);
  return bytes === undefined || perMs === undefined ? undefined : { bytes, perMs };
}

/** `23:00-07:00` → minutes after midnight. */
export function parseTimeRange(text: string): { startMinute: number; endMinute: number } | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  if (!match) return undefined;
  const [, h1, m1, h2, m2] = match.map(Number) as [number, number, number, number, number];
  return { startMinute: h1 * 60 + m1, endMinute: h2 * 60 + m2 };
}

/** Names for the units of a formatted duration, largest first; `formatDuration` uses d/h/m/s. */
export type DurationUnitNames = readonly [day: string, hour: string, minute: string, second: string];

/** `90061000` → `1d 1h`: the two largest units, for alerts and status lines. */
export function formatDuration(ms: number, names: DurationUnitNames = ['d', 'h', 'm', 's']): string {
  if (ms < 1000) return `${ms}ms`;
  const sizes = [86_400_000, 3_600_000, 60_000, 1000];
  const parts: string[] = [];
  let rest = ms;
  sizes.forEach((size, i) => {
    if (rest >= size && parts.length < 2) {
      parts.push(`${Math.floor(rest / size)}${names[i]}`);
      rest %= size;
    }
  });
  return parts.join(' ');
}

export function formatSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)}${units[unit]}`;
}
