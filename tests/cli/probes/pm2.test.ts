import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { probePm2 } from '../../../src/cli/probes/pm2.ts';
import { appsDir, createPm2Home } from '../../helpers/pm2.ts';
import { closedPort } from '../../helpers/servers.ts';
import { configFrom } from '../../helpers/service.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const pm2 = createPm2Home();
afterAll(() => pm2.kill());

const config = configFrom(`services:
  api: { check: { pm2: {} } }
  bot: { pm2: telegram-bot, check: { tcp: { port: 3001 } } }
  db: { check: { tcp: { port: 5432 } } }
`);

describe('warden check: pm2', () => {
  it('says when no pm2 daemon runs, and does not start one', async () => {
    expect(await probePm2(config, { PM2_HOME: pm2.home }, tempDir())).toEqual([
      {
        name: 'pm2',
        ok: false,
        detail: `no pm2 daemon at PM2_HOME=${pm2.home}`,
        fix: 'start your apps with pm2 start ecosystem.config.js, or set PM2_HOME',
      },
    ]);
  });

  it('names each pm2-managed service whose app pm2 does not know', async () => {
    await pm2.startDaemon();
    await pm2.startApps([
      { name: 'api', script: path.join(appsDir, 'http-app.mjs'), env: { PORT: String(await closedPort()) } },
    ]);
    const results = await probePm2(config, { PM2_HOME: pm2.home });
    expect(results).toEqual([
      { name: 'pm2', ok: true, detail: `daemon running (PM2_HOME=${pm2.home}); 2 pm2-managed service(s)` },
      { name: 'pm2 app api (services.api)', ok: true, detail: 'online, 0 restart(s)' },
      {
        name: 'pm2 app telegram-bot (services.bot)',
        ok: false,
        detail: 'not known to pm2',
        fix: 'pm2 start it, or set services.bot.pm2 to one of: api',
      },
    ]);
  });

  it('points at the project-local daemon that npm start runs when PM2_HOME does not', async () => {
    await pm2.startDaemon();
    const elsewhere = tempDir();
    expect(await probePm2(config, { PM2_HOME: elsewhere }, pm2.home)).toEqual([
      {
        name: 'pm2',
        ok: false,
        detail: `no pm2 daemon at PM2_HOME=${elsewhere}`,
        fix: `one runs at ${pm2.home} (npm start's): run PM2_HOME=${pm2.home} warden check`,
      },
    ]);
  });

  it('is silent about pm2 when no service is pm2-managed', async () => {
    expect(await probePm2(configFrom('services:\n  db: { check: { tcp: { port: 5432 } } }\n'), {})).toEqual([]);
  });
});
