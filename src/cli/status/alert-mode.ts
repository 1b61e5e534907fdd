import { alertModeFor } from '../../alerts/alert-mode.ts';
import type { Config } from '../../config/schema.ts';
import type { Run } from '../../store/runs.ts';
import type { AlertMode } from '../../store/tables.ts';

/**
 * How the daemon sends alerts, as its latest run recorded it: this shell's environment may lack
 * the token pm2 gave the daemon. Before any run, what this environment would give.
 */
export function alertModeOf(run: Run | null, config: Config): { mode: AlertMode; from: 'daemon' | 'environment' } {
  if (run?.alerts) return { mode: run.alerts, from: 'daemon' };
  return { mode: alertModeFor(config), from: 'environment' };
}

/** One phrase for a status line. */
export function describeAlertMode({ mode, from }: ReturnType<typeof alertModeOf>, chats: number): string {
  if (mode === 'telegram') return `alerts to ${chats} Telegram chat(s)`;
  return from === 'daemon'
    ? 'alerts in dry-run (the daemon has no TELEGRAM_BOT_TOKEN): they are written to its log'
    : 'alerts in dry-run (no TELEGRAM_BOT_TOKEN here): they are written to the log';
}
