import { beforeEach, describe, expect, it } from 'vitest';
import { outboxWriter } from '../../src/alerts/outbox.ts';
import { createMetrics } from '../../src/http/metrics.ts';
import { createTracker, type IncidentTracker } from '../../src/incidents/tracker.ts';
import { recordCheckResultBatch } from '../../src/store/check-result-batches.ts';
import type { Store } from '../../src/store/db.ts';
import { captureLogger } from '../helpers/logger.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { dialects, withStore } from '../helpers/store.ts';

describe.each(dialects)('/metrics gauges (%s store)', (dialect) => {
  let store: Store;
  withStore(dialect, (opened) => (store = opened));
  let clock: ManualClock;
  let tracker: IncidentTracker;

  beforeEach(async () => {
    clock = new ManualClock();
    const writers = [outboxWriter([{ id: '42', minSeverity: 'info' }])];
    tracker = createTracker({ store, clock, log: captureLogger().log, writers });
  });

  it('counts open incidents by severity and shows how long undelivered alerts have waited', async () => {
    const metrics = createMetrics({ readLastTickMs: () => clock.now(), store, clock, services: [] });
    const scrape = async () => metrics.metrics();
    expect(await scrape()).toMatch(/^warden_outbox_oldest_pending_age_seconds 0$/m);

    await tracker.report('service-down:api', { detail: 'connection refused' });
    await tracker.report('disk-usage:/', { detail: '85% used' });
    await tracker.report('service-down:bot', { detail: 'timed out' });
    await tracker.resolve('service-down:bot');
    await clock.advance(90_000);

    const text = await scrape();
    expect(text).toMatch(/^warden_incidents_open\{severity="critical"\} 1$/m);
    expect(text).toMatch(/^warden_incidents_open\{severity="warning"\} 1$/m);
    expect(text).toMatch(/^warden_incidents_open\{severity="info"\} 0$/m);
    // nothing delivers here: the three alerts, the resolution's edit and reply wait
    expect(text).toMatch(/^warden_outbox_pending 5$/m);
    expect(text).toMatch(/^warden_outbox_oldest_pending_age_seconds 90$/m);
  });

  it("shows each service's latest check", async () => {
    const metrics = createMetrics({ readLastTickMs: () => clock.now(), store, clock, services: ['api', 'db'] });
    // as the check-result writer stores them: in batches
    await recordCheckResultBatch(
      store,
      [
        { service: 'removed', at: 2, ok: false, detail: 'refused', latencyMs: 1 },
        { service: 'api', at: 1, ok: false, detail: 'refused', latencyMs: 1 },
        { service: 'api', at: 2, ok: true, detail: '200', latencyMs: 1 },
        { service: 'db', at: 2, ok: false, detail: 'refused', latencyMs: 1 },
      ],
      [],
    );
    const text = await metrics.metrics();
    expect(text).toMatch(/^warden_service_check_ok\{service="api"\} 1$/m);
    expect(text).toMatch(/^warden_service_check_ok\{service="db"\} 0$/m);
    expect(text).not.toContain('service="removed"');
  });
});
