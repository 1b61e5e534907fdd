import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/lib/clock.ts';
import { createScrubber } from '../../src/lib/redact.ts';
import { createLogHygiene, type LogHygiene } from '../../src/logs/hygiene.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { findUnresolvedIncident } from '../../src/store/incidents.ts';
import { createTracker } from '../../src/incidents/tracker.ts';
import { captureLogger } from '../helpers/logger.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { until } from '../helpers/until.ts';
import { configFrom } from '../helpers/service.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const day = 86_400_000;

function write(file: string, bytes: number, ageMs = 0): void {
  fs.writeFileSync(file, 'x'.repeat(bytes));
  const at = new Date(Date.now() - ageMs);
  fs.utimesSync(file, at, at);
}

describe('log pruning', () => {
  let store: Store | null = null;
  let hygiene: LogHygiene | null = null;
  afterEach(async () => {
    for (const part of hygiene?.parts.toReversed() ?? []) await part.stop();
    await store?.close();
    hygiene = store = null;
  });

  const hygieneFor = async (yaml: string, openFiles = new Set<string>(), clock = systemClock) => {
    store = await openStore(`sqlite:${path.join(tempDir(), 'warden.db')}`);
    hygiene = createLogHygiene({
      config: configFrom(yaml).logs,
      store,
      incidents: createTracker({ store, clock, log: captureLogger().log }),
      pm2: null,
      clock,
      log: captureLogger().log,
      scrub: createScrubber([]),
      openFiles: () => Promise.resolve(openFiles),
    });
    return hygiene;
  };

  it('deletes past count, age and total; never a symlink out, a file outside the roots, a live or open log', async () => {
    const root = tempDir();
    const logs = path.join(root, 'logs');
    fs.mkdirSync(logs);
    const outside = tempDir();
    write(path.join(outside, 'secret.log.1'), 10, 30 * day);
    write(path.join(outside, 'app.log.7'), 10, 30 * day);
    // a symlink inside the folder pointing out of it, named like a rotated log
    fs.symlinkSync(path.join(outside, 'secret.log.1'), path.join(logs, 'secret.log.1'));
    // a symlinked folder inside the roots leading out
    fs.symlinkSync(outside, path.join(logs, 'elsewhere'));
    write(path.join(logs, 'app.log'), 100, 40 * day);
    for (let n = 1; n <= 5; n++) write(path.join(logs, `app.log.${n}`), 100, n * 1000);
    write(path.join(logs, 'app.log.20261101-031500.gz'), 100, 20 * day);
    write(path.join(logs, 'api.log.1'), 100, 1000);
    write(path.join(logs, 'notes.txt.1'), 100, 40 * day);
    write(path.join(logs, 'held.log.1'), 100, 40 * day);

    const h = await hygieneFor(
      `logs:\n  watch: ['${logs}/*.log', '${logs}/**/*.log']\n  retain: { count: 3, maxAge: 14d }\n`,
      new Set([path.join(fs.realpathSync(logs), 'held.log.1')]),
    );
    const dry = await h.prune({ dryRun: true });
    expect(dry.candidates.map((c) => [path.basename(c.file), c.reason])).toEqual([
      ['app.log.20261101-031500.gz', 'count'],
      ['app.log.5', 'count'],
      ['app.log.4', 'count'],
    ]);
    expect(dry.deleted).toEqual([]);
    expect(fs.existsSync(path.join(logs, 'app.log.5'))).toBe(true);

    const done = await h.prune({ dryRun: false });
    expect(done.freedBytes).toBe(300);
    expect(fs.readdirSync(logs).sort()).toEqual([
      'api.log.1',
      'app.log',
      'app.log.1',
      'app.log.2',
      'app.log.3',
      'elsewhere',
      'held.log.1',
      'notes.txt.1',
      'secret.log.1',
    ]);
    expect(fs.readdirSync(outside).sort()).toEqual(['app.log.7', 'secret.log.1']);
  });

  it('keeps the total of rotated logs under maxTotal, oldest first', async () => {
    const logs = tempDir();
    for (let n = 1; n <= 4; n++) write(path.join(logs, `app.log.${n}`), 1024, n * 1000);
    const h = await hygieneFor(`logs:\n  watch: ['${logs}/*.log']\n  retain: { count: 10, maxTotal: 2KB }\n`);
    const result = await h.prune({ dryRun: false });
    expect(result.deleted.map((c) => [path.basename(c.file), c.reason])).toEqual([
      ['app.log.4', 'total'],
      ['app.log.3', 'total'],
    ]);
  });

  it('rotates and compresses a log past maxSize within one watch interval, and log-size resolves', async () => {
    const logs = tempDir();
    const file = path.join(logs, 'app.log');
    write(file, 4096);
    const marker = path.join(logs, 'writer-ready');
    const clock = new ManualClock();
    const h = await hygieneFor(
      `logs:\n  watch: ['${logs}/*.log']\n  maxSize: 1KB\n  interval: 30s\n  rotate: { mode: rename, command: 'test -e ${marker}' }\n`,
      new Set(),
      clock,
    );
    for (const part of h.parts) await part.start();
    // the writer cannot reopen yet: rotation fails and is put back, so log-size opens
    const key = `log-size:${file}`;
    await until(async () => (await findUnresolvedIncident(store!.db, key)) !== null, 30_000, 'log-size to open');
    expect((await findUnresolvedIncident(store!.db, key))?.detail).toMatch(
      /4\.0KB \(maxSize 1\.0KB\) and rotation failed/,
    );
    expect(fs.readdirSync(logs).sort()).toEqual(['app.log']);

    fs.writeFileSync(marker, '');
    // log hygiene's two loops back asleep, so the advance below is their next interval
    await until(() => clock.sleeping === 2, 30_000, 'the watch loops asleep');
    await clock.advance(30_000);
    await until(async () => (await findUnresolvedIncident(store!.db, key)) === null, 30_000, 'log-size to resolve');
    const names = fs.readdirSync(logs).sort();
    expect(names.filter((n) => /^app\.log\.\d{8}-\d{6}\.gz$/.test(n))).toHaveLength(1);
    expect(names).not.toContain('app.log');
  });

  it('watches only the files the patterns match, never a symlink', async () => {
    const logs = tempDir();
    write(path.join(logs, 'app.log'), 10);
    write(path.join(logs, 'app.log.1'), 10);
    write(path.join(logs, 'notes.txt'), 10);
    // pino-roll's link to warden's newest log: renaming it would move the link, not rotate a log
    fs.symlinkSync(path.join(logs, 'app.log'), path.join(logs, 'current.log'));
    const h = await hygieneFor(`logs:\n  watch: ['${logs}/*.log']\n`);
    for (const part of h.parts) await part.start();
    await until(() => h.files().length === 1, 5000, 'the watch to see app.log');
    expect(h.files()).toEqual([path.join(logs, 'app.log')]);
  });
});
