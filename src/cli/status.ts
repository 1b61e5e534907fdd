import { loadConfig } from '../config/load.ts';
import { openStore } from '../store/db.ts';
import type { Command } from './command.ts';
import { fleetStatus } from './status/fleet.ts';
import { statusSections } from './status/index.ts';

export const status = {
  usage: 'status [--fleet] [--json]',
  summary:
    'services, open incidents, last backups, disk use and the alert backlog, read from the store; --fleet: every host on it',
  options: { json: { type: 'boolean' }, fleet: { type: 'boolean' } },
  maxPositionals: 0,
  async run({ configPath, io, options }) {
    const { config } = loadConfig(configPath, io.env);
    const store = await openStore(config.store.url);
    try {
      if (options.fleet) {
        const fleet = await fleetStatus(store, Date.now());
        io.out(options.json ? JSON.stringify(fleet.json, null, 2) : fleet.lines.join('\n'));
        return 0;
      }
      const context = { config, store, now: Date.now() };
      const sections = [];
      for (const section of statusSections) sections.push({ section, ...(await section.read(context)) });
      if (options.json) {
        io.out(JSON.stringify(Object.fromEntries(sections.map((s) => [s.section.key, s.json])), null, 2));
      } else {
        io.out(`warden on ${config.host}`);
        for (const s of sections) io.out(['', `${s.section.title}:`, ...s.lines.map((l) => `  ${l}`)].join('\n'));
      }
      return 0;
    } finally {
      await store.close();
    }
  },
} satisfies Command;
