import { afterEach } from 'vitest';
import { openStore } from '../../../src/store/db.ts';
import { runningDaemons } from '../../fixtures/daemon-client.ts';
import { until } from '../../helpers/until.ts';

export { startDaemonProcess, type DaemonProcess } from '../../fixtures/daemon-client.ts';

afterEach(() => {
  for (const child of runningDaemons) child.kill('SIGKILL');
  runningDaemons.clear();
});

/** Waits until the daemon has marked an alert as being sent (the send itself is held by the fake). */
export async function untilAlertInFlight(storeUrl: string): Promise<void> {
  const reader = await openStore(storeUrl);
  try {
    await until(
      async () => (await reader.db.selectFrom('outbox').select('sending_at').executeTakeFirst())?.sending_at != null,
      10_000,
      'the alert to be in flight',
    );
  } finally {
    await reader.close();
  }
}
