import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Relayed, reopenPm2Log } from '../../src/logs/pm2-reopen.ts';
import type { Pm2Output } from '../../src/pm2/types.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const relayedOf = (...texts: string[]): Relayed => {
  const relayed = new Relayed();
  for (const text of texts) relayed.push(text);
  return relayed;
};

describe('matching a log file with what pm2 relayed', () => {
  it('finds the chunk boundary a file ends at, before a limit', () => {
    const relayed = relayedOf('a1\n', 'a2\n', 'a3\n', 'a4\n');
    expect(relayed.endsAt(Buffer.from('old\na1\na2\n'), 4)).toBe(2);
    expect(relayed.endsAt(Buffer.from('old\na1\na2\na3\na4\n'), 4)).toBe(4);
    expect(relayed.endsAt(Buffer.from('old\na1\na2\na3\na4\n'), 3)).toBeNull();
    // a file that ends before the first chunk heard cannot be placed
    expect(relayed.endsAt(Buffer.from('old\n'), 4)).toBeNull();
    expect(relayed.slice(2, 4).toString()).toBe('a3\na4\n');
  });

  it('prefers the latest boundary where output repeats: never a line twice', () => {
    const relayed = relayedOf('ok\n', 'ok\n', 'ok\n');
    expect(relayed.endsAt(Buffer.from('ok\nok\n'), 3)).toBe(3);
    expect(relayed.startsAt(Buffer.from('ok\n'), 1)).toBe(1);
  });

  it('finds where a new file starts at or after the swap', () => {
    const relayed = relayedOf('a1\n', 'a2\n', 'b1\n', 'b2\n');
    expect(relayed.startsAt(Buffer.from('b1\nb2\n'), 2)).toBe(2);
    expect(relayed.startsAt(Buffer.from('b2\n'), 2)).toBe(3);
    expect(relayed.startsAt(Buffer.from('zz\n'), 2)).toBeNull();
  });
});

describe('reopenPm2Log', () => {
  /** A pm2 stand-in that wrote the first `written` chunks and, on reloadLogs, drops the rest, as pm2 7.0.4 can. */
  const fakePm2 = (dir: string, chunks: string[], written: number, mode: 'fork' | 'cluster' | 'no marker' = 'fork') => {
    const listeners = new Set<(o: Pm2Output) => void>();
    const emit = (o: Pm2Output): void => listeners.forEach((l) => l(o));
    const rotated = path.join(dir, 'app-out.log.1');
    const live = path.join(dir, 'app-out.log');
    fs.writeFileSync(rotated, 'before\n' + chunks.slice(0, written).join(''));
    return {
      rotated,
      live,
      pm2: {
        onOutput: (listener: (o: Pm2Output) => void) => {
          listeners.add(listener);
          // what pm2 relays while warden waits for the file to catch up
          setImmediate(() => chunks.forEach((text) => emit({ pmId: 3, stream: 'out', text })));
          return () => void listeners.delete(listener);
        },
        reloadLogs: () => {
          emit({ pmId: 7, stream: 'out', text: 'another app\n' });
          if (mode !== 'no marker') emit({ pmId: null, stream: 'daemon', text: 'Reloading logs for process id 3\n' });
          emit({ pmId: 3, stream: 'out', text: 'after\n' });
          // a cluster worker swaps on its own and then prints its marker into the new file
          if (mode === 'cluster') emit({ pmId: 3, stream: 'out', text: 'Reloading log...\n' });
          fs.writeFileSync(live, mode === 'cluster' ? 'after\nReloading log...\n' : 'after\n');
          return Promise.resolve();
        },
      },
    };
  };

  it('appends to the renamed file the chunks pm2 dropped before the swap', async () => {
    const { rotated, live, pm2 } = fakePm2(tempDir(), ['l1\n', 'l2\n', 'l3\n', 'l4\n'], 2);
    const result = await reopenPm2Log(live, rotated, { pmId: 3, stream: 'out', cluster: false }, pm2);
    expect(result).toEqual({ restoredBytes: 6, unrestored: null });
    expect(fs.readFileSync(rotated, 'utf8')).toBe('before\nl1\nl2\nl3\nl4\n');
    expect(fs.readFileSync(live, 'utf8')).toBe('after\n');
  }, 20_000);

  it('in cluster mode, places the swap by the worker marker and the new file start', async () => {
    const { rotated, live, pm2 } = fakePm2(tempDir(), ['l1\n', 'l2\n', 'l3\n'], 1, 'cluster');
    const result = await reopenPm2Log(live, rotated, { pmId: 3, stream: 'out', cluster: true }, pm2);
    expect(result).toEqual({ restoredBytes: 6, unrestored: null });
    expect(fs.readFileSync(rotated, 'utf8')).toBe('before\nl1\nl2\nl3\n');
  }, 20_000);

  it('restores nothing when pm2 dropped nothing', async () => {
    const { rotated, live, pm2 } = fakePm2(tempDir(), ['l1\n', 'l2\n'], 2);
    expect(await reopenPm2Log(live, rotated, { pmId: 3, stream: 'out', cluster: false }, pm2)).toEqual({
      restoredBytes: 0,
      unrestored: null,
    });
    expect(fs.readFileSync(rotated, 'utf8')).toBe('before\nl1\nl2\n');
  }, 20_000);

  it('says why when the swap cannot be placed (no marker on the bus)', async () => {
    const { rotated, live, pm2 } = fakePm2(tempDir(), ['l1\n', 'l2\n'], 1, 'no marker');
    const result = await reopenPm2Log(live, rotated, { pmId: 3, stream: 'out', cluster: false }, pm2);
    expect(result.restoredBytes).toBe(0);
    expect(result.unrestored).toMatch(/no reload marker/);
    expect(fs.readFileSync(rotated, 'utf8')).toBe('before\nl1\n');
  }, 20_000);
});
