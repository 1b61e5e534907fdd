import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { logChat, outboxWriter } from '../../src/alerts/outbox.ts';
import { createDiskAndLogs } from '../../src/disk/index.ts';
import { createTracker } from '../../src/incidents/tracker.ts';
import type { Part } from '../../src/lib/part.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { findUnresolvedIncident } from '../../src/store/incidents.ts';
import { captureLogger } from '../helpers/logger.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { until } from '../helpers/until.ts';
import { configFrom } from '../helpers/service.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { mountTmpfs } from '../helpers/tmpfs.ts';

const mb = 1024 ** 2;

describe('disk cleanup on a real small filesystem', () => {
  const parts: Part[] = [];
  let store: Store | null = null;
  let unmount: (() => void) | null = null;
  afterEach(async () => {
    for (const part of parts.splice(0).toReversed()) await part.stop();
    await store?.close();
    unmount?.();
    store = null;
    unmount = null;
  });

  it('opens disk-usage past critical, frees old rotated logs, edits the alert and resolves', async (ctx) => {
    const mounted = mountTmpfs(8);
    if ('skip' in mounted) {
      console.log(`skipped: ${mounted.skip}`);
      ctx.skip();
      return;
    }
    unmount = mounted.unmount;
    const logs = path.join(mounted.dir, 'logs');
    fs.mkdirSync(logs);
    fs.writeFileSync(path.join(logs, 'app.log'), crypto.randomBytes(mb));
    const now = Date.now();
    for (let n = 1; n <= 6; n++) {
      const rotated = path.join(logs, `app.log.${n}`);
      fs.writeFileSync(rotated, crypto.randomBytes(mb));
      fs.utimesSync(rotated, new Date(now - n * 60_000), new Date(now - n * 60_000));
    }
    // something else on the disk pushes it past 90%
    fs.writeFileSync(path.join(mounted.dir, 'data.bin'), crypto.randomBytes(0.6 * mb));
    const outside = tempDir();
    fs.writeFileSync(path.join(outside, 'app.log.9'), 'outside the roots');

    store = await openStore(`sqlite:${path.join(tempDir(), 'warden.db')}`);
    const clock = new ManualClock(now);
    const tracker = createTracker({ store, clock, log: captureLogger().log, writers: [outboxWriter([logChat])] });
    const config = configFrom(
      `disk:\n  paths: ['${mounted.dir}']\n  interval: 1m\nlogs:\n  watch: ['${logs}/*.log']\n`,
    );
    const hygiene = createDiskAndLogs({
      config,
      store,
      incidents: tracker,
      pm2: null,
      clock,
      log: captureLogger().log,
    });
    for (const part of hygiene.parts) {
      await part.start();
      parts.push(part);
    }
    const key = `disk-usage:${mounted.dir}`;
    await until(
      async () => (await findUnresolvedIncident(store!.db, key))?.actions.length === 1,
      30_000,
      'the cleanup',
    );
    const incident = (await findUnresolvedIncident(store.db, key))!;
    expect(incident.severity).toBe('critical');
    expect(incident.excerpt).toMatch(new RegExp(`logs ${logs}: 7\\.0MB`));
    expect(incident.actions[0]).toMatchObject({ kind: 'cleanup', ok: true, detail: 'freed 2.0MB: 2 rotated logs' });
    // the oldest two went; the newest rotated file and the live log stay; nothing outside the roots is touched
    expect(fs.readdirSync(logs).sort()).toEqual(['app.log', 'app.log.1', 'app.log.2', 'app.log.3', 'app.log.4']);
    expect(fs.existsSync(path.join(outside, 'app.log.9'))).toBe(true);
    // the alert is edited with what was freed
    const edits = await store.db
      .selectFrom('outbox')
      .selectAll()
      .where('incident_id', '=', incident.id)
      .where('kind', '=', 'edit')
      .execute();
    expect(edits).toHaveLength(1);

    await clock.advance(60_000);
    await until(async () => (await findUnresolvedIncident(store!.db, key)) === null, 30_000, 'the resolution');
  });
});
