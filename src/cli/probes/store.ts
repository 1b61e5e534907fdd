import type { Config } from '../../config/schema.ts';
import { describeError } from '../../lib/errors.ts';
import { openStore } from '../../store/db.ts';
import type { ProbeResult } from './types.ts';

export async function probeStore(config: Config): Promise<ProbeResult> {
  try {
    const store = await openStore(config.store.url);
    await store.close();
    return { name: 'store', ok: true, detail: `${store.dialect} ${store.location} (migrated)` };
  } catch (err) {
    return { name: 'store', ok: false, detail: describeError(err), fix: 'start the database or correct store.url' };
  }
}
