import { runShell } from '../../lib/run-shell.ts';
import type { RestartDriver } from './types.ts';

/** `docker compose restart api` may pull or wait on health checks; past this it is stuck. */
const commandTimeoutMs = 120_000;

/** Runs `restart.command` (e.g. `docker compose restart api`); exit 0 is success. */
export const commandRestart = {
  async restart(service, signal) {
    const command = service.restart.command;
    if (!command) return { attempted: false, ok: false, detail: 'restart strategy is command but no command is set' };
    const result = await runShell(command, { timeoutMs: commandTimeoutMs, signal, maxOutputBytes: 4096 });
    const excerpt = result.output.trim();
    const how = result.error
      ? `could not start (${result.error})`
      : result.timedOut
        ? `timed out after ${commandTimeoutMs}ms`
        : result.exitCode !== null
          ? `exit ${result.exitCode}`
          : `killed by ${result.signal ?? 'a signal'}`;
    return {
      attempted: true,
      ok: result.exitCode === 0,
      detail: `ran "${command}": ${how}`,
      ...(excerpt ? { excerpt } : {}),
    };
  },
} satisfies RestartDriver;
