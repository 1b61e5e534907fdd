import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach } from 'vitest';

const running = new Set<ChildProcess>();
afterEach(() => {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
});

export interface WardenProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the message the daemon sent pm2-style over IPC ('ready'). */
  ready: Promise<unknown>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The http port the daemon logged when it started listening. */
  httpPort(): Promise<number>;
}

/** Starts `warden ARGS` from the TypeScript sources as its own process (killed after the test). */
export function startWarden(args: string[], env: NodeJS.ProcessEnv): WardenProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  running.add(child);
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  const ready = new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', () => reject(new Error(`warden exited before ready:\n${out}`)));
  });
  ready.catch(() => undefined);
  return {
    child,
    output: () => out,
    ready,
    exited,
    httpPort: async () => {
      await ready;
      const match = /"listen":"[^"]*:(\d+)"/.exec(out) ?? /listen: "[^"]*:(\d+)"/.exec(out);
      if (!match) throw new Error(`no http listen line in:\n${out}`);
      return Number(match[1]);
    },
  };
}
