import { WardenError } from '../lib/errors.ts';
import type { Command } from './command.ts';
import { incidentRef, withShellTracker } from './shell-tracker.ts';

/**
 * `warden resolve ID|KEY [--reason TEXT]`: closes an incident by hand (a condition warden cannot
 * see clear, a false alarm). The history records who and why; the alert is edited by the daemon.
 * If the problem is still there, the next observation opens a new incident.
 */
export const resolve = {
  usage: 'resolve ID|KEY [--reason TEXT]',
  summary: 'close an incident by hand (by #id or key), recording who and why; its alert is edited',
  options: { reason: { type: 'string' } },
  async run({ positionals, options, configPath, io }) {
    const [target] = positionals;
    if (!target || positionals.length > 1) {
      io.err(`warden resolve: name one incident, e.g. warden resolve 12 --reason "fixed by hand"`);
      return 64;
    }
    const reason = typeof options.reason === 'string' && options.reason.trim() !== '' ? options.reason.trim() : null;
    const change = await withShellTracker(configPath, io.env, (tracker, by) =>
      tracker.resolveByHand(incidentRef(target), by, reason),
    );
    if (!change) throw new WardenError('NO_SUCH_INCIDENT', `no open incident ${target}; warden incidents lists them`);
    io.out(`resolved #${change.incident.id} ${change.incident.key}`);
    return 0;
  },
} satisfies Command;
