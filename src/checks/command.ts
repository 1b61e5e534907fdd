import { z } from 'zod';
import { duration } from '../config/fields.ts';
import { runShell } from '../lib/run-shell.ts';
import { head } from '../lib/text.ts';
import type { CheckKind, CheckResult } from './types.ts';

export const commandOptions = z
  .strictObject({
    /** Given to `sh -c` as written; `${VAR}` is left for the shell to expand from warden's environment. */
    run: z.string().min(1, 'must be a shell command'),
    timeout: duration('10s').prefault('10s'),
  })
  .transform(({ timeout, ...rest }) => ({ ...rest, timeoutMs: timeout }));
export type CommandOptions = z.output<typeof commandOptions>;

/** `sh -c run` exits 0 within the timeout; its output becomes the alert's excerpt. */
export async function probeCommand(options: CommandOptions, signal: AbortSignal): Promise<CheckResult> {
  const result = await runShell(options.run, { timeoutMs: options.timeoutMs, signal, maxOutputBytes: 4096 });
  const label = `command "${options.run}"`;
  const excerpt = result.output.trim();
  const base = { latencyMs: result.durationMs, ...(excerpt ? { excerpt } : {}) };
  if (result.error) return { ok: false, detail: `${label}: could not start (${result.error})`, ...base };
  if (result.timedOut) return { ok: false, detail: `${label}: timed out after ${options.timeoutMs}ms`, ...base };
  if (result.aborted) return { ok: false, detail: `${label}: cancelled (warden is stopping)`, ...base };
  if (result.exitCode === 0) return { ok: true, detail: `${label}: exit 0 in ${result.durationMs}ms`, ...base };
  const how = result.exitCode !== null ? `exit ${result.exitCode}` : `killed by ${result.signal ?? 'a signal'}`;
  const lastLine = head(excerpt.split('\n').at(-1) ?? '', 200);
  return { ok: false, detail: `${label}: ${how}${lastLine ? ` — ${lastLine}` : ''}`, ...base };
}

export const command = { options: commandOptions, run: probeCommand } satisfies CheckKind<CommandOptions>;
