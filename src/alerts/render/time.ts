const formats = new Map<string, Intl.DateTimeFormat>();

function format(intl: string, timezone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${intl}|${timezone}|${JSON.stringify(options)}`;
  let cached = formats.get(key);
  if (!cached) {
    cached = new Intl.DateTimeFormat(intl, { timeZone: timezone, hourCycle: 'h23', ...options });
    formats.set(key, cached);
  }
  return cached;
}

/** `03:12`, or `27 Nov, 03:12` when `at` is not on the same local day as `now`. */
export function formatClock(at: number, now: number, timezone: string, intl: string): string {
  const day = format(intl, timezone, { year: 'numeric', month: '2-digit', day: '2-digit' });
  const sameDay = day.format(at) === day.format(now);
  return format(intl, timezone, {
    ...(sameDay ? {} : { day: 'numeric', month: 'short' }),
    hour: '2-digit',
    minute: '2-digit',
  }).format(at);
}

/** The zone as people read it: `GMT+9`, `CET`, `UTC`. */
export function zoneLabel(at: number, timezone: string, intl: string): string {
  const parts = format(intl, timezone, { timeZoneName: 'short' }).formatToParts(at);
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? timezone;
}

export function localMinutes(at: number, timezone: string): number {
  const parts = format('en-GB', timezone, { hour: '2-digit', minute: '2-digit' }).formatToParts(at);
  const value = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return (value('hour') % 24) * 60 + value('minute');
}

/** Whether `at` falls in the local range; `23:00-07:00` wraps midnight. */
export function isQuietTime(at: number, range: { startMinute: number; endMinute: number }, timezone: string): boolean {
  const minute = localMinutes(at, timezone);
  const { startMinute: start, endMinute: end } = range;
  if (start === end) return false;
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}
