import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTracker } from '../../src/incidents/tracker.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { createScrubber } from '../../src/lib/redact.ts';
import { createLogHygiene, type LogHygiene } from '../../src/logs/hygiene.ts';
import { createPatternScanner } from '../../src/logs/patterns.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { findUnresolvedIncident } from '../../src/store/incidents.ts';
import { countLogMatches } from '../../src/store/log-offsets.ts';
import { captureLogger } from '../helpers/logger.ts';
import { until } from '../helpers/until.ts';
import { configFrom } from '../helpers/service.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** A writer that rotates itself like Python's RotatingFileHandler: shift .N → .N+1, rename, reopen. */
class PythonStyleWriter {
  private fd: number;
  constructor(private readonly file: string) {
    this.fd = fs.openSync(file, 'a');
  }
  write(line: string): void {
    fs.writeSync(this.fd, `${line}\n`);
  }
  rotate(): void {
    fs.closeSync(this.fd);
    const backups = fs.readdirSync(path.dirname(this.file)).filter((n) => /^app\.log\.\d+$/.test(n));
    for (const n of backups.map((b) => Number(b.split('.').pop())).sort((a, b) => b - a))
      fs.renameSync(`${this.file}.${n}`, `${this.file}.${n + 1}`);
    fs.renameSync(this.file, `${this.file}.1`);
    this.fd = fs.openSync(this.file, 'a');
  }
  close(): void {
    fs.closeSync(this.fd);
  }
}

describe('log pattern alerts', () => {
  let store: Store | null = null;
  let running: LogHygiene | null = null;
  afterEach(async () => {
    for (const part of running?.parts.toReversed() ?? []) await part.stop();
    await store?.close();
    running = store = null;
  });

  it('counts every matching line exactly once across 10 writer rotations and a warden restart', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'app.log');
    fs.writeFileSync(file, 'ERROR before warden watched: history, not news\n');
    store = await openStore(`sqlite:${path.join(tempDir(), 'warden.db')}`);
    const config = configFrom(
      `logs:\n  watch: ['${dir}/*.log']\n  patterns:\n    - { match: 'ERROR', threshold: 1, window: 1h, severity: critical }\n`,
    );
    const tracker = createTracker({ store, clock: systemClock, log: captureLogger().log });
    const start = async (): Promise<LogHygiene> => {
      const hygiene = createLogHygiene({
        config: { ...config.logs, intervalMs: 3_600_000 },
        store: store!,
        incidents: tracker,
        pm2: null,
        clock: systemClock,
        log: captureLogger().log,
        scrub: createScrubber([]),
        openFiles: () => Promise.resolve(new Set()),
      });
      for (const part of hygiene.parts) await part.start();
      return hygiene;
    };
    const stop = async (hygiene: LogHygiene): Promise<void> => {
      for (const part of hygiene.parts.toReversed()) await part.stop();
    };

    running = await start();
    const writer = new PythonStyleWriter(file);
    let errors = 0;
    let n = 0;
    const burst = (): void => {
      for (let i = 0; i < 40; i++) {
        n++;
        if (n % 3 === 0) {
          writer.write(`${n} ERROR payment failed password=hunter2 \u001b[31mred\u001b[0m`);
          errors++;
        } else writer.write(`${n} INFO ok`);
      }
    };
    for (let rotation = 1; rotation <= 10; rotation++) {
      burst();
      writer.rotate();
      burst();
      if (rotation === 5) {
        // warden stops mid-stream; the writer goes on, even rotates, while nobody watches
        await stop(running);
        running = null;
        burst();
        writer.rotate();
        burst();
        running = await start();
      }
    }
    writer.close();
    await until(
      async () => (await countLogMatches(store!, file, 'ERROR')) >= errors,
      45_000,
      'every ERROR line counted',
    );
    // one more full scan, with warden stopped, finds nothing new: no line was counted twice
    await stop(running);
    running = null;
    const scanner = createPatternScanner({
      store,
      patterns: config.logs.patterns,
      incidents: tracker,
      clock: systemClock,
      log: captureLogger().log,
      scrub: createScrubber([]),
    });
    await scanner.scan(file);
    expect(await countLogMatches(store, file, 'ERROR')).toBe(errors);

    const incident = await findUnresolvedIncident(store.db, 'log-errors:app');
    expect(incident?.severity).toBe('critical');
    expect(incident?.detail).toContain(`${errors} lines matched /ERROR/ in 1h (threshold 1)`);
    // quoted lines: secrets redacted, control characters shown instead of garbling the alert
    expect(incident?.excerpt).toContain('ERROR payment failed password=[REDACTED] \\x1b[31mred\\x1b[0m');
    expect(incident?.excerpt).not.toContain('hunter2');
    expect(incident?.excerpt).not.toContain('history, not news');
  }, 120_000);
});
