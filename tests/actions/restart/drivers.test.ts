import { describe, expect, it } from 'vitest';
import { commandRestart } from '../../../src/actions/restart/command.ts';
import { createRestartDrivers } from '../../../src/actions/restart/index.ts';
import { noRestart } from '../../../src/actions/restart/none.ts';
import { pm2Restart } from '../../../src/actions/restart/pm2.ts';
import { serviceFrom } from '../../helpers/service.ts';

const live = () => new AbortController().signal;
const withCommand = (command: string) =>
  serviceFrom(
    'api',
    `check: { tcp: { port: 3000 } }\nrestart: { strategy: command, command: ${JSON.stringify(command)} }`,
  );

describe('restart drivers', () => {
  it('has one driver per strategy', () => {
    expect(Object.keys(createRestartDrivers({ pm2: null })).sort()).toEqual(['command', 'none', 'pm2']);
  });

  it('command: exit 0 is a restart', async () => {
    expect(await commandRestart.restart(withCommand('echo restarting api'), live())).toEqual({
      attempted: true,
      ok: true,
      detail: 'ran "echo restarting api": exit 0',
      excerpt: 'restarting api',
    });
  });

  it('command: another exit code is a failed restart, with its output', async () => {
    const outcome = await commandRestart.restart(withCommand('echo "no such service: api" >&2; exit 5'), live());
    expect(outcome).toMatchObject({ attempted: true, ok: false, excerpt: 'no such service: api' });
    expect(outcome.detail).toMatch(/: exit 5$/);
  });

  it('pm2: restarts the app through the pm2 connection', async () => {
    const restarted: string[] = [];
    const driver = pm2Restart({ attached: () => true, restart: (app) => Promise.resolve(void restarted.push(app)) });
    const service = serviceFrom('api', 'pm2: api-app\ncheck: { tcp: { port: 3000 } }');
    expect(await driver.restart(service, live())).toEqual({ attempted: true, ok: true, detail: 'pm2 restart api-app' });
    expect(restarted).toEqual(['api-app']);
  });

  it('pm2: does not try without a daemon, and reports a failed call', async () => {
    const service = serviceFrom('api', 'check: { pm2: {} }');
    const absent = pm2Restart({ attached: () => false, restart: () => Promise.resolve() });
    expect(await absent.restart(service, live())).toMatchObject({
      attempted: false,
      detail: 'pm2 restart api: pm2 daemon not running',
    });
    const failing = pm2Restart({
      attached: () => true,
      restart: () => Promise.reject(new Error('process or namespace not found')),
    });
    expect(await failing.restart(service, live())).toEqual({
      attempted: true,
      ok: false,
      detail: 'pm2 restart api failed: process or namespace not found',
    });
  });

  it('none: never restarts', async () => {
    expect(await noRestart.restart()).toMatchObject({ attempted: false });
  });
});
