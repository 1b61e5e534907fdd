import { loadConfig } from '../config/load.ts';
import { formatDuration, parseDuration } from '../config/units.ts';
import { isTopic } from '../incidents/topics.ts';
import { WardenError } from '../lib/errors.ts';
import { openStore } from '../store/db.ts';
import { addSilence, liftSilences, silenceAll } from '../store/silences.ts';
import type { Command } from './command.ts';

export const silence = {
  usage: 'silence TARGET DURATION [--reason TEXT]',
  summary: `hold back alerts and restarts for a service, topic or incident key (or ${silenceAll}) for DURATION; DURATION off lifts it`,
  options: { reason: { type: 'string' } },
  async run({ configPath, io, positionals, options }) {
    const [target, length, ...extra] = positionals;
    if (!target || !length || extra.length > 0)
      throw new WardenError('USAGE', `usage: warden ${silence.usage} (e.g. warden silence api 30m --reason deploy)`);
    const { config } = loadConfig(configPath, io.env);
    const known = [...Object.keys(config.services), ...Object.keys(config.backups.targets)];
    const topic = target.split(':')[0] ?? '';
    if (target !== silenceAll && !known.includes(target) && !isTopic(topic))
      throw new WardenError(
        'USAGE',
        `"${target}" is not a service, backup target, topic or incident key; known services: ${Object.keys(config.services).join(', ') || 'none'}`,
      );
    const lifting = length === 'off' || length === '0';
    const durationMs = lifting ? 0 : parseDuration(length);
    if (durationMs === undefined || (!lifting && durationMs <= 0))
      throw new WardenError('USAGE', `"${length}" is not a duration; write it like 30m, 2h or 1d (or off)`);
    const store = await openStore(config.store.url);
    try {
      const now = Date.now();
      if (lifting) {
        const lifted = await liftSilences(store, target, now);
        io.out(lifted > 0 ? `silence on ${target} lifted` : `${target} was not silenced`);
        return 0;
      }
      const reason = typeof options.reason === 'string' && options.reason.trim() ? options.reason.trim() : null;
      const added = await addSilence(store, { target, until: now + durationMs, reason, at: now });
      io.out(
        `silenced ${target} for ${formatDuration(durationMs)}, until ${new Date(added.until).toISOString()}${reason ? ` (${reason})` : ''}`,
      );
      return 0;
    } finally {
      await store.close();
    }
  },
} satisfies Command;
