import { formatDuration } from '../../config/units.ts';
import { outboxBacklog } from '../../store/outbox.ts';
import { latestRun } from '../../store/runs.ts';
import { alertModeOf, describeAlertMode } from './alert-mode.ts';
import type { StatusSection } from './types.ts';

/** Pending longer than this, an alert counts as undelivered (the dispatcher logs it at error level). */
const undeliveredAfterMs = 5 * 60_000;

export const alertsStatus: StatusSection = {
  key: 'alerts',
  title: 'Alerts',
  async read({ store, config, now }) {
    const backlog = await outboxBacklog(store.db, now - 86_400_000);
    const alertMode = alertModeOf(await latestRun(store, config.host), config);
    const dryRun = alertMode.mode === 'dry-run';
    const chats = backlog.chats.map((c) => ({
      ...c,
      oldestAt: new Date(c.oldestAt).toISOString(),
      undelivered: now - c.oldestAt > undeliveredAfterMs,
    }));
    const failures = new Map<string, { chatId: string; reason: string; count: number; lastAt: number }>();
    for (const f of backlog.failed) {
      const key = `${f.chatId}\n${f.reason}`;
      const seen = failures.get(key);
      if (seen) seen.count++;
      else failures.set(key, { chatId: f.chatId, reason: f.reason, count: 1, lastAt: f.at });
    }
    const iso = (at: number | null): string | null => (at === null ? null : new Date(at).toISOString());
    const json = {
      mode: dryRun ? 'dry-run' : 'telegram',
      chats: config.telegram.chats.length,
      pending: backlog.pending,
      oldestPendingAt: iso(backlog.oldestPendingAt),
      undelivered: chats.filter((c) => c.undelivered).reduce((n, c) => n + c.pending, 0),
      backlog: chats,
      failedLastDay: [...failures.values()].map((f) => ({ ...f, lastAt: iso(f.lastAt) })),
      lastDeliveredAt: iso(backlog.lastDeliveredAt),
      lastLoggedAt: iso(backlog.lastLoggedAt),
    };
    const last = dryRun
      ? json.lastLoggedAt && `last at ${json.lastLoggedAt}`
      : json.lastDeliveredAt && `last delivered at ${json.lastDeliveredAt}`;
    const lines = [
      [describeAlertMode(alertMode, config.telegram.chats.length), last].filter(Boolean).join('; '),
      backlog.pending === 0
        ? 'outbox: nothing pending'
        : `outbox: ${backlog.pending} pending, oldest ${formatDuration(now - backlog.oldestPendingAt!)} old`,
      ...chats.map(
        (c) =>
          `  chat ${c.chatId}: ${c.pending} pending since ${c.oldestAt}${c.undelivered ? ' — UNDELIVERED for over 5m' : ''}${c.lastError ? ` — last error: ${c.lastError}` : ''}`,
      ),
      ...[...failures.values()].map(
        (f) =>
          `✗ not delivered (${f.count}× in the last day, last at ${new Date(f.lastAt).toISOString()}): ${f.reason.startsWith(`chat ${f.chatId}`) ? f.reason : `chat ${f.chatId}: ${f.reason}`}`,
      ),
    ];
    return { json, lines };
  },
};
