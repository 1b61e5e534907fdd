import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import readline from 'node:readline';
import { afterEach } from 'vitest';
import { openStore } from '../../../src/store/db.ts';
import { until } from '../../helpers/until.ts';

const running = new Set<ChildProcessWithoutNullStreams>();
afterEach(() => {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
});

/** The real daemon (tests/fixtures/daemon-process.ts: 200 ms ticks, fast outbox retries) in a child process. */
export interface DaemonProcess {
  child: ChildProcessWithoutNullStreams;
  /** Its JSON log lines so far. */
  logs(): Array<Record<string, unknown>>;
  waitForLog(
    predicate: (line: Record<string, unknown>) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  healthz(): Promise<{ status: number; body: string }>;
  metrics(): Promise<string>;
  /** `report KEY`: an observation for KEY, answered once the tracker took it (or failed). */
  report(key: string): Promise<void>;
  /** `resolve KEY`: resolves the open incident for KEY, answered once the tracker took it. */
  resolve(key: string): Promise<void>;
  /** `stop`: a clean stop; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** Resolves with the exit code once the process has gone (after a SIGKILL too). */
  exited: Promise<number | null>;
}

export async function startDaemonProcess(configFile: string, env: NodeJS.ProcessEnv): Promise<DaemonProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/daemon-process.ts', configFile], {
    cwd: process.cwd(),
    env: { ...process.env, ...env },
  });
  running.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const logs: Array<Record<string, unknown>> = [];
  const watchers = new Set<() => void>();
  readline.createInterface({ input: child.stderr }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      logs.push({ msg: line });
    }
    for (const watcher of watchers) watcher();
  });
  const answers: string[] = [];
  const answerWaiters: Array<(line: string) => void> = [];
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    const waiter = answerWaiters.shift();
    if (waiter) waiter(line);
    else answers.push(line);
  });
  const nextAnswer = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const queued = answers.shift();
      if (queued !== undefined) return resolve(queued);
      const timer = setTimeout(
        () => reject(new Error(`daemon did not answer; log: ${JSON.stringify(logs.slice(-10))}`)),
        60_000,
      );
      answerWaiters.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });

  const waitForLog = (
    predicate: (line: Record<string, unknown>) => boolean,
    what: string,
    timeoutMs = 30_000,
  ): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = logs.find(predicate);
        if (!found) return false;
        watchers.delete(watcher);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const watcher = (): void => void check();
      const timer = setTimeout(() => {
        watchers.delete(watcher);
        reject(new Error(`timed out waiting for ${what}; last log lines: ${JSON.stringify(logs.slice(-60))}`));
      }, timeoutMs);
      watchers.add(watcher);
      check();
    });

  if ((await nextAnswer()) !== 'ready') throw new Error(`daemon did not start: ${JSON.stringify(logs.slice(-10))}`);
  const listening = await waitForLog((l) => l.msg === 'http listening', 'http listening');
  const port = Number(/:(\d+)$/.exec(String(listening.listen))![1]);
  const get = async (url: string): Promise<{ status: number; body: string }> => {
    const res = await fetch(`http://127.0.0.1:${port}${url}`);
    return { status: res.status, body: await res.text() };
  };
  return {
    child,
    exited,
    logs: () => logs,
    waitForLog,
    healthz: () => get('/healthz'),
    metrics: async () => (await get('/metrics')).body,
    async report(key) {
      const answer = nextAnswer();
      child.stdin.write(`report ${key}\n`);
      await answer;
    },
    async resolve(key) {
      const answer = nextAnswer();
      child.stdin.write(`resolve ${key}\n`);
      await answer;
    },
    async stop() {
      child.stdin.write('stop\n');
      return exited;
    },
  };
}

/** Waits until the daemon has marked an alert as being sent (the send itself is held by the fake). */
export async function untilAlertInFlight(storeUrl: string): Promise<void> {
  const reader = await openStore(storeUrl);
  try {
    await until(
      async () => (await reader.db.selectFrom('outbox').select('sending_at').executeTakeFirst())?.sending_at != null,
      10_000,
      'the alert to be in flight',
    );
  } finally {
    await reader.close();
  }
}
