import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config/schema.ts';
import { describeError } from '../../lib/errors.ts';
import type { ProbeResult } from './types.ts';

/** The folders warden writes to exist (or can be created) and are writable. */
export function probeFolders(config: Config): ProbeResult[] {
  const folders = new Map<string, string>([
    ['log folder', path.dirname(config.log.file)],
    ['backups folder', config.backups.dir],
  ]);
  if (config.store.url.startsWith('sqlite:'))
    folders.set('store folder', path.dirname(config.store.url.slice('sqlite:'.length)));
  return [...folders].map(([name, dir]) => {
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.accessSync(dir, fs.constants.W_OK);
      return { name, ok: true, detail: `${dir} is writable` };
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
