import { describe, expect, it } from 'vitest';
import { probePm2 } from '../../src/checks/pm2.ts';
import type { Pm2AppInfo, Pm2Reader } from '../../src/pm2/types.ts';
import { WardenError } from '../../src/lib/errors.ts';

const live = () => new AbortController().signal;
const app = (overrides: Partial<Pm2AppInfo> = {}): Pm2AppInfo => ({
  name: 'api',
  pmId: 0,
  pid: 4242,
  status: 'online',
  restarts: 2,
  unstableRestarts: 0,
  startedAt: Date.now() - 90_000,
  createdAt: Date.now() - 900_000,
  exitCode: 0,
  errLogPath: null,
  autorestart: true,
  killTimeoutMs: 1600,
  ...overrides,
});
const reader = (answer: () => Promise<Pm2AppInfo | null>): Pm2Reader => ({ describe: answer });
const target = (pm2: Pm2Reader | null) => ({ service: 'api', pm2App: 'api', pm2 });

// The same check against a real pm2 daemon runs in tests/supervision (service monitor, pm2 client).
describe('pm2 check', () => {
  it('passes when the app is online', async () => {
    const result = await probePm2({}, live(), target(reader(() => Promise.resolve(app()))));
    expect(result).toMatchObject({ ok: true, detail: 'pm2 app api: online (pid 4242, up 1m 30s, 2 restarts)' });
  });

  it('fails for any other status', async () => {
    const result = await probePm2(
      {},
      live(),
      target(reader(() => Promise.resolve(app({ status: 'errored', restarts: 15 })))),
    );
    expect(result).toMatchObject({ ok: false, detail: 'pm2 app api: errored (15 restarts)' });
  });

  it('fails when pm2 does not know the app', async () => {
    const result = await probePm2({}, live(), target(reader(() => Promise.resolve(null))));
    expect(result.detail).toBe('pm2 app api: not found in pm2 (pm2 start it, or fix services.api.pm2)');
  });

  it('says so when no pm2 daemon runs', async () => {
    const down = reader(() =>
      Promise.reject(new WardenError('PM2_UNAVAILABLE', 'pm2 daemon not running (PM2_HOME=/tmp/x)')),
    );
    const result = await probePm2({}, live(), target(down));
    expect(result).toMatchObject({ ok: false, detail: 'pm2 daemon not running (PM2_HOME=/tmp/x)' });
  });
});
