import type { ServiceConfig } from '../config/schema.ts';
import { fileEnd, linesSince, tailFile, type FileEnd } from '../lib/tail-file.ts';
import type { Pm2Reader } from '../pm2/types.ts';

/**
 * The lines of a service's pm2 error log that explain its failure, never history: pm2 logs carry
 * no timestamps, so a line's age is where it lies. The log's end (inode and size) is read before
 * each check and remembered when the check passes; a failure shows only what was written past it.
 * Without such a mark (warden started while the service failed) the log's tail counts only when
 * the file was written shortly before the failure began.
 * @example await evidence.beforeCheck(api); … await evidence.healthy(api); … await evidence.excerpt(api, failingSince)
 */
export interface ErrorLogEvidence {
  /** A check of the service starts: what its error log holds now is history if the check passes. */
  beforeCheck(service: ServiceConfig): Promise<void>;
  /** The check that started last passed. */
  healthy(service: ServiceConfig): void;
  /**
   * The fresh lines for a failure that began at `since`, or null; `errLogPath` when the caller
   * already knows it (a pm2 event carries it).
   */
  excerpt(service: ServiceConfig, since: number, errLogPath?: string | null): Promise<string | null>;
}

/** Without a mark, a log last written this long before the failure began holds only history. */
const unmarkedGraceMs = 60_000;
const unmarkedLines = 15;

export function createErrorLogEvidence(pm2: Pick<Pm2Reader, 'describe'> | null): ErrorLogEvidence {
  type Mark = { path: string; end: FileEnd };
  const marks = new Map<string, Mark>();
  const pending = new Map<string, Mark>();
  const paths = new Map<string, string>();

  const pathOf = async (app: string, known?: string | null): Promise<string | null> => {
    const found = known ?? (await pm2?.describe(app).catch(() => null))?.errLogPath ?? paths.get(app) ?? null;
    if (found) paths.set(app, found);
    return found;
  };

  return {
    async beforeCheck(service) {
      const app = service.pm2;
      if (app === null) return;
      pending.delete(app);
      // the path is looked up once: a check should not cost a pm2 round trip more
      const path = paths.get(app) ?? (await pathOf(app));
      // read before the probe, so a line written while it runs is never taken for history
      const end = path ? await fileEnd(path) : null;
      if (path && end) pending.set(app, { path, end });
    },
    healthy(service) {
      const app = service.pm2;
      const mark = app === null ? undefined : pending.get(app);
      if (app !== null && mark) marks.set(app, mark);
    },
    async excerpt(service, since, errLogPath) {
      const app = service.pm2;
      if (app === null) return null;
      const path = await pathOf(app, errLogPath);
      if (!path) return null;
      const mark = marks.get(app);
      if (mark?.path === path) return (await linesSince(path, mark.end)) || null;
      const end = await fileEnd(path);
      if (!end || end.mtimeMs < since - unmarkedGraceMs) return null;
      return (await tailFile(path, unmarkedLines)) || null;
    },
  };
}
