import os from 'node:os';
import { pino } from 'pino';
import { alertChats } from '../alerts/create-alerts.ts';
import { outboxWriter } from '../alerts/outbox.ts';
import { loadConfig } from '../config/load.ts';
import { createTracker } from '../incidents/tracker.ts';
import { systemClock } from '../lib/clock.ts';
import { WardenError } from '../lib/errors.ts';
import { openStore } from '../store/db.ts';
import type { Command } from './command.ts';

/**
 * `warden ack ID|KEY`: acknowledges through the same tracker as the daemon, so the alert edits it
 * queues are delivered by the running daemon, and reminders for the incident stop.
 */
export const ack = {
  usage: 'ack ID|KEY',
  summary: 'acknowledge an incident (by #id or key): reminders stop, a given-up service may be restarted again',
  options: {},
  async run({ positionals, configPath, io }) {
    const [target] = positionals;
    if (!target || positionals.length > 1) {
      io.err(`warden ack: name one incident, e.g. warden ack 12 or warden ack service-down:api`);
      return 64;
    }
    const { config } = loadConfig(configPath, io.env);
    const store = await openStore(config.store.url);
    try {
      const tracker = createTracker({
        store,
        clock: systemClock,
        log: pino({ level: 'silent' }),
        writers: [outboxWriter(alertChats(config))],
      });
      const idOrKey = /^#?\d+$/.test(target) ? Number(target.replace('#', '')) : target;
      const change = await tracker.acknowledge(idOrKey, `shell:${os.userInfo().username}`);
      if (!change) {
        throw new WardenError('NO_SUCH_INCIDENT', `no open incident ${target}; warden incidents lists them`);
      }
      io.out(`acknowledged #${change.incident.id} ${change.incident.key}`);
      return 0;
    } finally {
      await store.close();
    }
  },
} satisfies Command;
