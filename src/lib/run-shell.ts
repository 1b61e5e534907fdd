import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { describeError } from './errors.ts';
import { cleanText, tail } from './text.ts';

export interface ShellOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Only the end of the output is kept (in UTF-16 units, cut between characters); it is what explains a failure. */
  maxOutputBytes?: number;
}

/**
 * What a shell command did. `exitCode` is null when it was killed (timeout, abort) or never started.
 * @example { exitCode: 1, signal: null, timedOut: false, output: 'curl: (7) Failed to connect', durationMs: 12, error: null }
 */
export interface ShellResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  /** stdout and stderr interleaved, without terminal control sequences, trimmed to the last `maxOutputBytes`. */
  output: string;
  durationMs: number;
  /** Why it could not be started, e.g. `spawn /bin/sh ENOENT`. */
  error: string | null;
}

/** After SIGTERM a command gets this long before SIGKILL, and then this long again to close its pipes. */
const graceMs = 1000;

/**
 * Runs `/bin/sh -c command` in its own process group and always settles: on timeout or abort the
 * whole group is killed, so a hung `curl` started by the command cannot outlive it. The command
 * string goes to the shell as written: `${VAR}` in it is the shell's own expansion of warden's
 * environment, so a value can never become shell syntax.
 */
export function runShell(command: string, options: ShellOptions): Promise<ShellResult> {
  const maxBytes = options.maxOutputBytes ?? 16 * 1024;
  const started = performance.now();
  return new Promise((resolve) => {
    let output = '';
    // one decoder per stream: a character split across two chunks must not become U+FFFD
    const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
    let timedOut = false;
    let aborted = false;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const child = spawn('/bin/sh', ['-c', command], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });

    const finish = (partial: Pick<ShellResult, 'exitCode' | 'signal' | 'error'>): void => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      const text = tail(cleanText(output + decoders.stdout.end() + decoders.stderr.end()), maxBytes);
      resolve({ ...partial, timedOut, aborted, output: text, durationMs: Math.round(performance.now() - started) });
    };
    // twice the limit is kept raw, so control sequences removed later still leave a full tail
    const append = (decoder: StringDecoder, chunk: Buffer): void => {
      output += decoder.write(chunk);
      if (output.length > 2 * maxBytes) output = tail(output, 2 * maxBytes);
    };
    const killGroup = (sig: NodeJS.Signals): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, sig);
      } catch {
        // the group is already gone
      }
    };
    const stop = (): void => {
      killGroup('SIGTERM');
      timers.push(
        setTimeout(() => {
          killGroup('SIGKILL');
          // a grandchild that left the group may still hold the pipes; do not wait for it forever
          timers.push(setTimeout(() => finish({ exitCode: null, signal: 'SIGKILL', error: null }), graceMs));
        }, graceMs),
      );
    };
    function onAbort(): void {
      aborted = true;
      stop();
    }

    child.stdout.on('data', (chunk: Buffer) => append(decoders.stdout, chunk));
    child.stderr.on('data', (chunk: Buffer) => append(decoders.stderr, chunk));
    child.once('error', (err) => finish({ exitCode: null, signal: null, error: describeError(err) }));
    child.once('close', (code, sig) => finish({ exitCode: code, signal: sig, error: null }));
    timers.push(
      setTimeout(() => {
        timedOut = true;
        stop();
      }, options.timeoutMs),
    );
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
