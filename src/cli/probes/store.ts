import type { Config } from '../../config/schema.ts';
import { describeError } from '../../lib/errors.ts';
import { inspectStore } from '../../store/inspect.ts';
import type { ProbeResult } from './types.ts';

/** The store answers, and how far it is migrated; `warden check` never migrates or creates it. */
export async function probeStore(config: Config): Promise<ProbeResult> {
  try {
    const store = await inspectStore(config.store.url);
    const where = `${store.dialect} ${store.location}`;
    switch (store.state) {
      case 'absent':
        return { name: 'store', ok: true, detail: `${where}: not created yet; warden run creates and migrates it` };
      case 'current':
        return { name: 'store', ok: true, detail: `${where}: migrated, up to date` };
      case 'behind':
        return {
          name: 'store',
          ok: true,
          detail: `${where}: needs migrating (${store.pending.join(', ')} pending); warden run applies them at start`,
        };
      case 'ahead':
        return {
          name: 'store',
          ok: false,
          detail: `${where}: written by a newer warden (unknown migrations ${store.unknown.join(', ')})`,
          fix: 'run the warden version that wrote this store, or point store.url at another one',
        };
    }
  } catch (err) {
    return { name: 'store', ok: false, detail: describeError(err), fix: 'start the database or correct store.url' };
  }
}
