import { WardenError } from '../lib/errors.ts';
import type { Command } from './command.ts';
import { incidentRef, withShellTracker } from './shell-tracker.ts';

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
    const change = await withShellTracker(configPath, io.env, (tracker, by) =>
      tracker.acknowledge(incidentRef(target), by),
    );
    if (!change) throw new WardenError('NO_SUCH_INCIDENT', `no open incident ${target}; warden incidents lists them`);
    io.out(`acknowledged #${change.incident.id} ${change.incident.key}`);
    return 0;
  },
} satisfies Command;
