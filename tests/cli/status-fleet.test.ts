import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.ts';
import { createTracker } from '../../src/incidents/tracker.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { recordCheckResultBatch } from '../../src/store/check-result-batches.ts';
import { openStore } from '../../src/store/db.ts';
import { recordRunStart, recordRunStop } from '../../src/store/runs.ts';
import { captureIo } from '../helpers/io.ts';
import { tempDir } from '../helpers/temp-dir.ts';

interface FleetJson {
  hosts: Array<{
    host: string;
    state: string;
    pid: number;
    services: Array<{ name: string; state: string }>;
    incidents: Array<{ key: string }>;
  }>;
}

describe('warden status --fleet', () => {
  it('shows every host of the store: its daemon, services and open incidents (one key, two hosts, two incidents)', async () => {
    const dir = tempDir();
    const storeUrl = `sqlite:${path.join(dir, 'warden.db')}`;
    const store = await openStore(storeUrl);
    const now = Date.now();
    try {
      await recordRunStart(store, { at: now, pid: 101, host: 'web-1', version: 't', alerts: 'dry-run' });
      const stopped = await recordRunStart(store, {
        at: now,
        pid: 102,
        host: 'web-2',
        version: 't',
        alerts: 'dry-run',
      });
      await recordRunStop(store, stopped.id, now);
      for (const host of ['web-1', 'web-2']) {
        const tracker = createTracker({ store, clock: systemClock, log: pino({ level: 'silent' }), host });
        await tracker.report('service-down:api', { detail: `down on ${host}` });
        // the host's own key only: the other host's open incident is not this one's to resolve
        expect(await tracker.stateOf('service-down:api')).toBe('open');
        await recordCheckResultBatch(
          store,
          [{ service: 'api', at: now, ok: host === 'web-2', detail: 'GET /healthz', latencyMs: 3 }],
          [],
          host,
        );
      }
      const incidents = await store.db.selectFrom('incidents').select(['host', 'key', 'state']).execute();
      expect(incidents).toEqual([
        { host: 'web-1', key: 'service-down:api', state: 'open' },
        { host: 'web-2', key: 'service-down:api', state: 'open' },
      ]);
    } finally {
      await store.close();
    }

    const config = path.join(dir, 'warden.config.yaml');
    fs.writeFileSync(config, `host: web-1\nstore: { url: "${storeUrl}" }\n`);
    const json = captureIo({});
    expect(await main(['status', '--fleet', '--json', '--config', config], json)).toBe(0);
    const parsed = JSON.parse(json.stdout.join('\n')) as FleetJson;
    expect(parsed.hosts).toMatchObject([
      {
        host: 'web-1',
        state: 'running',
        pid: 101,
        services: [{ name: 'api', state: 'failing' }],
        incidents: [{ key: 'service-down:api' }],
      },
      {
        host: 'web-2',
        state: 'stopped',
        pid: 102,
        services: [{ name: 'api', state: 'healthy' }],
        incidents: [{ key: 'service-down:api' }],
      },
    ]);

    const text = captureIo({});
    expect(await main(['status', '--fleet', '--config', config], text)).toBe(0);
    const out = text.stdout.join('\n');
    expect(out).toContain('warden fleet: 2 hosts');
    expect(out).toMatch(/web-1: running \(pid 101\), last seen .*\n {2}api +failing — GET \/healthz\n {2}#1 critical/);
    expect(out).toMatch(/web-2: stopped \(pid 102\), last seen .*\n {2}api +healthy\n {2}#2 critical/);
  });
});
