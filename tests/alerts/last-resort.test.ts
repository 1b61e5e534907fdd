import { afterEach, describe, expect, it } from 'vitest';
import { createLastResort, type LastResort } from '../../src/alerts/last-resort.ts';
import type { Channel, Outgoing, Recipient } from '../../src/alerts/channels/types.ts';
import { createStoreHealth } from '../../src/store/health.ts';
import { captureLogger } from '../helpers/logger.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { until } from '../helpers/until.ts';

const parts: LastResort[] = [];
afterEach(async () => {
  for (const part of parts.splice(0)) await part.stop();
});

function setup() {
  const clock = new ManualClock();
  const health = createStoreHealth({ now: () => clock.now(), verify: () => undefined, failAfter: 1 });
  const sent: string[] = [];
  const channel = {
    send: (message: Outgoing, _to: Recipient) => {
      sent.push(message.text);
      return Promise.resolve({ ok: true as const, messageId: String(sent.length) });
    },
  } as unknown as Channel;
  const lastResort = createLastResort({
    health,
    location: '127.0.0.1:5432/warden',
    host: 'web-2',
    chats: [{ chatId: '42', thread: null }],
    channelFor: () => channel,
    clock,
    log: captureLogger().log,
    maxAlerts: 2,
  });
  parts.push(lastResort);
  const fail = () => health.probe(() => Promise.reject(new Error('connection reset')));
  const recover = () => health.probe(() => Promise.resolve());
  return { lastResort, sent, fail, recover };
}

describe('last-resort alerts for problems the store cannot record', () => {
  it('sends one message per key per outage while the store fails, at most maxAlerts, and nothing while it works', async () => {
    const { lastResort, sent, fail, recover } = setup();
    await lastResort.start();
    lastResort.alert('service-down:api', 'connection refused');
    expect(sent).toEqual([]);

    await fail();
    await until(() => sent.length === 1, 5000, 'the outage message');
    lastResort.alert('service-down:api', 'connection refused');
    lastResort.alert('service-down:api', 'connection refused again');
    lastResort.alert('db-down:main', 'timed out');
    lastResort.alert('disk-usage:/', 'beyond the cap');
    await until(() => sent.length === 3, 5000, 'two alerts');
    expect(sent.slice(1)).toEqual([
      'warden on web-2: service-down:api — connection refused. This alert could not be recorded: the store at 127.0.0.1:5432/warden is unreachable.',
      'warden on web-2: db-down:main — timed out. This alert could not be recorded: the store at 127.0.0.1:5432/warden is unreachable.',
    ]);

    // a new outage starts a new count
    await recover();
    await fail();
    lastResort.alert('service-down:api', 'connection refused');
    await until(
      () => sent.some((text, i) => i > 3 && text.startsWith('warden on web-2: service-down:api')),
      5000,
      'the alert in the next outage',
    );
  });
});
