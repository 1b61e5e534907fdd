import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { Part } from '../lib/part.ts';
import { every } from '../scheduler/every.ts';
import type { Store } from '../store/db.ts';
import { listUnresolvedIncidents } from '../store/incidents.ts';
import {
  activeSilenceTargets,
  enqueueOutbox,
  incidentMessages,
  lastReminders,
  type NewOutboxRow,
} from '../store/outbox.ts';
import { silenceCovers } from '../store/silences.ts';

export interface RemindersOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  /** `telegram.repeat`: how long an open critical incident waits between reminders. */
  repeatMs: number;
  checkEveryMs?: number;
  /** Called after reminders were queued, so the dispatcher sends them now. */
  onQueued(): void;
}

/**
 * Reminds of open critical incidents nobody acknowledged, every `repeat`, as a reply under each
 * chat's alert. Reminders due together are grouped by the dispatcher like any storm.
 */
export function createReminders(options: RemindersOptions): Part {
  const { store, clock, log } = options;
  return every({
    name: 'alert-reminders',
    intervalMs: options.checkEveryMs ?? 60_000,
    clock,
    log,
    run: async () => {
      const now = clock.now();
      const open = (await listUnresolvedIncidents(store.db)).filter(
        (i) => i.state === 'open' && i.severity === 'critical' && i.parentKey === null,
      );
      if (open.length === 0) return;
      const last = await lastReminders(
        store.db,
        open.map((i) => i.id),
      );
      const due = open.filter((i) => now - (last.get(i.id) ?? i.openedAt) >= options.repeatMs);
      let queued = 0;
      await store.db.transaction().execute(async (trx) => {
        const silenced = await activeSilenceTargets(trx, now);
        for (const incident of due) {
          if (silenced.some((target) => silenceCovers(target, incident.key))) continue;
          const alerts = (await incidentMessages(trx, incident.id)).filter(
            (r) => r.state !== 'failed' && r.state !== 'skipped' && r.state !== 'abandoned',
          );
          const newestPerChat = new Map(alerts.map((row) => [row.chatId, row]));
          const rows: NewOutboxRow[] = [...newestPerChat.values()].map((row) => ({
            chatId: row.chatId,
            thread: row.thread,
            kind: 'reminder',
            incidentId: incident.id,
            refId: row.id,
          }));
          await enqueueOutbox(trx, rows, now);
          queued += rows.length;
          if (rows.length > 0) log.info({ key: incident.key, chats: rows.length }, 'reminder queued');
        }
      });
      if (queued > 0) options.onQueued();
    },
  });
}
