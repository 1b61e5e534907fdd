import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config/schema.ts';
import { describeError } from '../../lib/errors.ts';
import type { ProbeResult } from './types.ts';

/**
 * The folders warden writes to are writable, or can be created: `warden check` only looks, so a
 * folder not there yet is fine when its nearest existing parent is writable.
 */
export function probeFolders(config: Config): ProbeResult[] {
  const folders = new Map<string, string>([
    ['log folder', path.dirname(config.log.file)],
    ['backups folder', config.backups.dir],
  ]);
  if (config.store.url.startsWith('sqlite:'))
    folders.set('store folder', path.dirname(config.store.url.slice('sqlite:'.length)));
  return [...folders].map(([name, dir]) => {
    const existing = nearestExisting(dir);
    try {
      if (!fs.statSync(existing).isDirectory()) throw new Error(`${existing} is not a folder`);
      fs.accessSync(existing, fs.constants.W_OK);
      const detail =
        existing === dir ? `${dir} is writable` : `${dir} does not exist yet; warden creates it in ${existing}`;
      return { name, ok: true, detail };
    } catch (err) {
      return {
        name,
        ok: false,
        detail: `${dir}: ${describeError(err)}`,
        fix: `create it and give the warden user write access`,
      };
    }
  });
}

function nearestExisting(dir: string): string {
  let current = dir;
  while (!fs.existsSync(current) && path.dirname(current) !== current) current = path.dirname(current);
  return current;
}
