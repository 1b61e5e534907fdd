import { loadConfig } from '../config/load.ts';
import { createScrubber } from '../lib/redact.ts';
import type { Command } from './command.ts';
import { probeFolders } from './probes/folders.ts';
import { probeHttpListen } from './probes/http.ts';
import { probePm2 } from './probes/pm2.ts';
import { probeRunbooks } from './probes/runbooks.ts';
import { probePostgresTargets } from './probes/postgres.ts';
import { probeStore } from './probes/store.ts';
import { probeTelegram } from './probes/telegram.ts';

export const check = {
  usage: 'check',
  summary: 'validate the config and probe every dependency: one ✓/✗ line each, with the fix',
  options: {},
  maxPositionals: 0,
  async run({ configPath, io }) {
    const { config, file, secrets } = loadConfig(configPath, io.env);
    const scrub = createScrubber(secrets);
    io.out(`✓ config: ${file} is valid (${Object.keys(config.services).length} service(s))`);
    const results = [
      await probeStore(config),
      ...probeFolders(config),
      await probeHttpListen(config),
      ...(await probePostgresTargets(config)),
      ...(await probeTelegram(config)),
      probeRunbooks(config),
      ...(await probePm2(config, io.env)),
    ];
    for (const r of results) {
      io.out(scrub(r.ok ? `✓ ${r.name}: ${r.detail}` : `✗ ${r.name}: ${r.detail}${r.fix ? ` — fix: ${r.fix}` : ''}`));
    }
    return results.every((r) => r.ok) ? 0 : 1;
  },
} satisfies Command;
