import { loadConfig } from '../config/load.ts';
import { openStore } from '../store/db.ts';
import { listRecentIncidents, listUnresolvedIncidents } from '../store/incidents.ts';
import type { Command } from './command.ts';
import { describeIncident } from './status/incidents.ts';

/** How many incidents `--all` lists, newest first. */
const recentLimit = 100;

export const incidents = {
  usage: 'incidents [--all] [--json]',
  summary: `open and acknowledged incidents (--all: the newest ${recentLimit} in any state)`,
  options: { all: { type: 'boolean' }, json: { type: 'boolean' } },
  maxPositionals: 0,
  async run({ options, configPath, io }) {
    const { config } = loadConfig(configPath, io.env);
    const store = await openStore(config.store.url);
    try {
      const list = options.all
        ? await listRecentIncidents(store.db, recentLimit)
        : await listUnresolvedIncidents(store.db);
      const described = list.map(describeIncident);
      if (options.json)
        io.out(
          JSON.stringify(
            described.map((d) => d.json),
            null,
            2,
          ),
        );
      else if (described.length === 0) io.out(options.all ? 'no incidents recorded' : 'no open incidents');
      else for (const d of described) io.out(d.line);
      return 0;
    } finally {
      await store.close();
    }
  },
} satisfies Command;
