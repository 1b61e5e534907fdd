import type { Config } from '../../config/schema.ts';
import type { Store } from '../../store/db.ts';

export interface StatusContext {
  config: Config;
  store: Store;
  now: number;
}

/**
 * One part of `warden status`: the same facts as JSON (`--json`) and as lines for a terminal.
 * @example { key: 'disk', read: async (ctx) => ({ json: [...], lines: ['/  42% used (12GB free)'] }) }
 */
export interface StatusSection {
  key: string;
  title: string;
  read(context: StatusContext): Promise<{ json: unknown; lines: string[] }>;
}
