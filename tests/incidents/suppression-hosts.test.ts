import { describe, expect, it } from 'vitest';
import { createSuppression } from '../../src/incidents/suppression.ts';
import { createTracker } from '../../src/incidents/tracker.ts';
import type { Store } from '../../src/store/db.ts';
import { captureLogger } from '../helpers/logger.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { withStore } from '../helpers/store.ts';

describe('dependsOn suppression in a fleet (one store, two hosts)', () => {
  let store: Store;
  withStore('sqlite', (opened) => (store = opened));

  it("holds back a service's alert for its own host's open parent only", async () => {
    const clock = new ManualClock();
    const suppression = createSuppression({ parentsOf: () => ['db-down:main'] });
    const on = (host: string) => createTracker({ store, clock, log: captureLogger().log, host, suppression });
    const [web1, web2] = [on('web-1'), on('web-2')];

    await web2.report('db-down:main', { detail: 'connection refused' });
    // web-2's database being down says nothing about web-1's api
    expect((await web1.report('service-down:api', { detail: 'HTTP 502' })).suppressed).toBeNull();
    expect((await web2.report('service-down:api', { detail: 'HTTP 502' })).suppressed).toEqual({
      by: 'parent',
      key: 'db-down:main',
    });
  });
});
