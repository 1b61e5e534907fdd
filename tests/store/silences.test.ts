import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/db.ts';
import { activeSilences, addSilence, liftSilences, silenceCovering, silenceCovers } from '../../src/store/silences.ts';
import { dialects, withStore } from '../helpers/store.ts';

describe('silence targets', () => {
  it('cover a service and its incidents, a topic, a key, or everything', () => {
    expect(silenceCovers('api', 'api')).toBe(true);
    expect(silenceCovers('api', 'service-down:api')).toBe(true);
    expect(silenceCovers('api', 'crash-loop:api')).toBe(true);
    expect(silenceCovers('api', 'service-down:api2')).toBe(false);
    expect(silenceCovers('disk-usage', 'disk-usage:/')).toBe(true);
    expect(silenceCovers('disk-usage:/', 'disk-usage:/')).toBe(true);
    expect(silenceCovers('disk-usage:/', 'disk-usage:/var')).toBe(false);
    expect(silenceCovers('all', 'backup-failed:main')).toBe(true);
    expect(silenceCovers('bot', 'api')).toBe(false);
  });
});

describe.each(dialects)('silences store (%s)', (dialect) => {
  let store: Store;
  withStore(dialect, (opened) => (store = opened));

  it('keeps a silence active until it expires', async () => {
    const at = Date.UTC(2026, 10, 28, 3, 0, 0);
    const added = await addSilence(store, { target: 'api', until: at + 30 * 60_000, reason: 'deploy', at });
    expect(added).toEqual({
      id: expect.any(Number),
      target: 'api',
      until: at + 30 * 60_000,
      reason: 'deploy',
      createdAt: at,
    });
    expect(await activeSilences(store, at + 29 * 60_000)).toEqual([added]);
    expect(await activeSilences(store, at + 30 * 60_000)).toEqual([]);
  });

  it('lifts the active silences of a target', async () => {
    const at = Date.UTC(2026, 10, 28, 3, 0, 0);
    await addSilence(store, { target: 'api', until: at + 60_000, reason: null, at });
    await addSilence(store, { target: 'bot', until: at + 60_000, reason: null, at });
    expect(await liftSilences(store, 'api', at + 1000)).toBe(1);
    expect((await activeSilences(store, at + 2000)).map((s) => s.target)).toEqual(['bot']);
    expect(await liftSilences(store, 'api', at + 3000)).toBe(0);
  });

  it('names the active silence covering a service or incident key', async () => {
    const at = Date.UTC(2026, 10, 28, 3, 0, 0);
    expect(await silenceCovering(store.db, 'service-down:api', at)).toBeNull();
    await addSilence(store, { target: 'api', until: at + 60_000, reason: null, at });
    expect(await silenceCovering(store.db, 'service-down:api', at + 1000)).toBe('api');
    expect(await silenceCovering(store.db, 'service-down:bot', at + 1000)).toBeNull();
    expect(await silenceCovering(store.db, 'service-down:api', at + 60_000)).toBeNull();
  });
});
