import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { formatDuration } from '../config/units.ts';
import { describeError } from '../lib/errors.ts';
import { BackupError } from './backup-error.ts';

/** How much of a tool's stderr is kept for the incident excerpt. */
const stderrKeptBytes = 4096;
/** A tool that ignores SIGTERM this long is killed. */
const killGraceMs = 5000;

export interface ToolRun {
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  timeoutMs: number;
  /** Where stdout goes; without it stdout is collected and returned. */
  stdout?: Writable;
  /** Exit codes that still count as success (GNU tar's 1: "some files changed while read"). */
  okCodes?: number[];
}

/**
 * Runs pg_dump, pg_restore or tar without a shell. Secrets travel in `env` only, never in `args`.
 * A run past its timeout, or aborted, is ended (SIGTERM, then SIGKILL).
 */
export async function runTool(
  command: string,
  args: string[],
  run: ToolRun,
): Promise<{ stdout: string; stderr: string; code: number }> {
  const child = spawn(command, args, { env: run.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-stderrKeptBytes);
  });
  let ended: string | null = null;
  const end = (why: string): void => {
    if (ended !== null || child.exitCode !== null) return;
    ended = why;
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), killGraceMs).unref();
  };
  const timer = setTimeout(() => end(`timed out after ${formatDuration(run.timeoutMs)}`), run.timeoutMs);
  const onAbort = (): void => end('stopped');
  run.signal.addEventListener('abort', onAbort, { once: true });
  if (run.signal.aborted) onAbort();

  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  try {
    const output = run.stdout
      ? pipeline(child.stdout, run.stdout)
      : (async () => {
          child.stdout.setEncoding('utf8');
          for await (const chunk of child.stdout) stdout += chunk as string;
        })();
    const [code] = await Promise.all([exited, output.catch((err: unknown) => (ended ??= describeError(err)))]);
    const excerpt = stderr.trim() || null;
    if (ended !== null) throw new BackupError(`${command} ${ended}`, excerpt);
    if (code === null || !(code === 0 || run.okCodes?.includes(code)))
      throw new BackupError(`${command} exited with code ${code ?? 'null'}${firstLine(excerpt)}`, excerpt);
    return { stdout, stderr, code };
  } catch (err) {
    if (err instanceof BackupError) throw err;
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new BackupError(missing ? `${command} not found on PATH` : `${command}: ${describeError(err)}`, null, {
      cause: err,
    });
  } finally {
    clearTimeout(timer);
    run.signal.removeEventListener('abort', onAbort);
  }
}

function firstLine(text: string | null): string {
  const line = text?.split('\n').find((l) => l.trim() !== '');
  return line ? `: ${line.trim()}` : '';
}
