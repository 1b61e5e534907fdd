import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.ts';
import { createTracker } from '../../src/incidents/tracker.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { openStore } from '../../src/store/db.ts';
import { captureIo } from '../helpers/io.ts';
import { captureLogger } from '../helpers/logger.ts';
import { tempDir } from '../helpers/temp-dir.ts';

async function setup(): Promise<{ config: string; storeUrl: string }> {
  const dir = tempDir();
  const storeUrl = `sqlite:${path.join(dir, 'w.db')}`;
  const config = path.join(dir, 'warden.config.yaml');
  fs.writeFileSync(config, `store: { url: "${storeUrl}" }\n`);
  const store = await openStore(storeUrl);
  const tracker = createTracker({ store, clock: systemClock, log: captureLogger().log, host: os.hostname() });
  await tracker.report('service-down:api', { detail: 'connection refused' });
  await tracker.report('disk-usage:/', { detail: '91% used' });
  await tracker.resolve('disk-usage:/', 'back to 70%');
  await store.close();
  return { config, storeUrl };
}

describe('warden incidents and ack', () => {
  it('lists open incidents, and every recent one with --all', async () => {
    const { config } = await setup();
    const open = captureIo();
    expect(await main(['incidents', '--config', config], open)).toBe(0);
    expect(open.stdout).toHaveLength(1);
    expect(open.stdout[0]).toMatch(/^#1 critical +service-down:api +open since .* \(1×\) — connection refused$/);
    const recent = captureIo();
    expect(await main(['incidents', '--all', '--config', config], recent)).toBe(0);
    expect(recent.stdout[0]).toMatch(
      /^#2 warning +disk-usage:\/ +resolved after \d+(ms|s), opened .* \(1×\) — 91% used$/,
    );
    const all = captureIo();
    expect(await main(['incidents', '--all', '--json', '--config', config], all)).toBe(0);
    const listed = JSON.parse(all.stdout.join('\n')) as Array<{ key: string; state: string }>;
    expect(listed.map((i) => [i.key, i.state])).toEqual([
      ['disk-usage:/', 'resolved'],
      ['service-down:api', 'open'],
    ]);
  });

  it('acknowledges by key or #id and records who did it', async () => {
    const { config, storeUrl } = await setup();
    const io = captureIo();
    expect(await main(['ack', 'service-down:api', '--config', config], io)).toBe(0);
    expect(io.stdout).toEqual(['acknowledged #1 service-down:api']);
    const store = await openStore(storeUrl);
    const row = await store.db.selectFrom('incidents').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
    await store.close();
    expect(row.state).toBe('acknowledged');
    expect(row.acknowledged_by).toMatch(/^shell:/);
  });

  it('says in one line when there is no such open incident', async () => {
    const { config } = await setup();
    const io = captureIo();
    expect(await main(['ack', '#2', '--config', config], io)).toBe(1);
    expect(io.stderr).toEqual(['warden ack: no open incident #2; warden incidents lists them']);
  });
});
