import path from 'node:path';
import type { Pm2Reader } from '../pm2/types.ts';
import type { ServiceConfig } from '../config/schema.ts';
import { describeError } from '../lib/errors.ts';
import { tailFile } from '../lib/tail-file.ts';

/** The most a `/logs` reply asks for; Telegram's 4096 characters hold fewer anyway. */
export const maxLogLines = 200;

/**
 * The newest lines of a pm2-managed service's logs: stdout and stderr files as pm2 writes them.
 * Returns the reason when there is nothing to read.
 */
export async function readServiceLogs(
  service: ServiceConfig,
  lines: number,
  pm2: Pm2Reader | null,
  signal: AbortSignal,
): Promise<{ ok: true; files: Array<{ file: string; text: string }> } | { ok: false; why: string }> {
  if (service.pm2 === null || !pm2) return { ok: false, why: 'not managed by pm2' };
  let app;
  try {
    app = await pm2.describe(service.pm2, signal);
  } catch (err) {
    return { ok: false, why: describeError(err) };
  }
  if (!app) return { ok: false, why: `pm2 has no app ${service.pm2}` };
  const files: Array<{ file: string; text: string }> = [];
  for (const file of [app.outLogPath, app.errLogPath]) {
    if (!file) continue;
    const text = await tailFile(file, lines, 256 * 1024);
    if (text !== '') files.push({ file: path.basename(file), text });
  }
  return files.length > 0 ? { ok: true, files } : { ok: false, why: 'its log files are empty' };
}
