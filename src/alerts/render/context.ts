import type { Topic } from '../../incidents/topics.ts';
import type { Severity } from '../../incidents/types.ts';
import { isQuietTime } from './time.ts';

export type Locale = 'en' | 'ko';

/**
 * Everything a renderer needs besides the incident: no I/O happens while rendering, so the runbook
 * link arrives as a function and time as `now`.
 * @example { host: 'prod-1', timezone: 'Asia/Seoul', locale: 'ko', now: Date.now(), quietHours: null, runbookUrl: (t) => `https://…/${t}.md` }
 */
export interface RenderContext {
  host: string;
  timezone: string;
  locale: Locale;
  now: number;
  /** Minutes after local midnight; the range may wrap midnight (23:00-07:00). */
  quietHours: { startMinute: number; endMinute: number } | null;
  runbookUrl(topic: Topic): string | null;
  /** Set when the bot answers alert buttons (Ack, Silence 1h, Restart now); absent: the runbook link only. */
  actions?: { restartable(service: string): boolean } | undefined;
  /** `telegram.resolvedSound`: resolved replies ring like their alert; absent or false, they arrive silently. */
  resolvedSound?: boolean | undefined;
}

/** The hosts incidents are about, as one line: in a fleet any instance may send another host's alert. */
export function hostsOf(incidents: ReadonlyArray<{ host?: string }>, context: RenderContext): string {
  return [...new Set(incidents.map((i) => i.host || context.host))].join(', ');
}

/** Critical rings, warning rings outside quiet hours and arrives silently inside them, info never rings. */
export function isSilent(severity: Severity, context: RenderContext): boolean {
  if (severity === 'critical') return false;
  if (severity === 'info') return true;
  return context.quietHours !== null && isQuietTime(context.now, context.quietHours, context.timezone);
}
