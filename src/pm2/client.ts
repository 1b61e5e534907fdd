import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Clock } from '../lib/clock.ts';
import { describeError, WardenError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { every } from '../scheduler/every.ts';
import type { Pm2AppInfo, Pm2Client, Pm2ErrorOutput, Pm2Output, Pm2ProcessEvent } from './types.ts';

export interface Pm2ClientOptions {
  /** PM2_HOME; pm2 itself reads it from the environment when first imported, so they must agree. */
  home: string;
  log: Logger;
  clock: Clock;
  callTimeoutMs?: number;
  /** How often warden looks for the daemon's socket (to attach, or to notice it is gone). */
  probeIntervalMs?: number;
}

// The little of pm2's untyped programmatic API that warden uses.
interface AxonSocket {
  on(event: string, listener: (...args: unknown[]) => void): void;
  once(event: string, listener: (...args: unknown[]) => void): void;
  close(): void;
}
interface Pm2Bus {
  on(event: string, listener: (packet: unknown) => void): void;
}
type Callback<T> = (err: Error | null | undefined, result: T) => void;
interface Pm2Api {
  Client: {
    launchRPC(cb: (err?: Error | null) => void): void;
    launchBus(cb: (err: Error | null, bus: Pm2Bus, socket: AxonSocket) => void): void;
    executeRemote(method: string, options: object, cb: Callback<unknown>): void;
    client_sock?: AxonSocket;
    sub_sock?: AxonSocket;
  };
  describe(name: string, cb: Callback<unknown[]>): void;
  list(cb: Callback<unknown[]>): void;
  restart(name: string, cb: Callback<unknown>): void;
}
interface Pm2Module {
  custom: new (options: { pm2_home: string }) => Pm2Api;
}

/** PM2_HOME as pm2 resolves it. */
export function pm2Home(env: NodeJS.ProcessEnv): string {
  return env.PM2_HOME ?? path.join(env.HOME ?? os.homedir(), '.pm2');
}

export function createPm2Client(options: Pm2ClientOptions): Pm2Client {
  const { home, clock } = options;
  const log = options.log.child({ part: 'pm2' });
  const callTimeoutMs = options.callTimeoutMs ?? 5000;
  const socketPath = path.join(home, 'rpc.sock');
  const eventListeners: Array<(event: Pm2ProcessEvent) => void> = [];
  const outputListeners: Array<(output: Pm2ErrorOutput) => void> = [];
  const rawOutputListeners = new Set<(output: Pm2Output) => void>();
  const attachListeners: Array<() => void> = [];
  const detachListeners: Array<() => void> = [];
  const restartRequests = new Map<string, number>();
  let api: Pm2Api | null = null;
  let isAttached = false;
  let stopped = false;
  let everAttached = false;

  const notify = <T>(listeners: Array<(value: T) => void>, value: T): void => {
    for (const listener of listeners) {
      try {
        listener(value);
      } catch (err) {
        log.error({ err }, 'pm2 listener failed');
      }
    }
  };
  const setAttached = (next: boolean, reason: string): void => {
    if (next === isAttached) return;
    isAttached = next;
    if (next) {
      log.info({ home, again: everAttached }, everAttached ? 'pm2 daemon back; re-attached' : 'attached to pm2');
      everAttached = true;
      notify(attachListeners, undefined);
    } else {
      log.warn({ home, reason }, 'pm2 daemon not running');
      notify(detachListeners, undefined);
    }
  };

  const unavailable = (): WardenError =>
    new WardenError('PM2_UNAVAILABLE', `pm2 daemon not running (PM2_HOME=${home})`);

  /** One pm2 call, bounded: a dead daemon never answers, so silence past the timeout is an error. */
  const call = <T>(
    label: string,
    invoke: (pm2: Pm2Api, cb: Callback<T>) => void,
    signal?: AbortSignal,
    timeoutMs = callTimeoutMs,
  ): Promise<T> => (isAttached ? callDaemon(label, invoke, signal, timeoutMs) : Promise.reject(unavailable()));

  const callDaemon = <T>(
    label: string,
    invoke: (pm2: Pm2Api, cb: Callback<T>) => void,
    signal?: AbortSignal,
    timeoutMs = callTimeoutMs,
  ): Promise<T> => {
    const pm2 = api;
    if (!pm2 || stopped) return Promise.reject(unavailable());
    return new Promise<T>((resolve, reject) => {
      const done = (err: Error | null, result?: T): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(result as T);
      };
      const timer = setTimeout(
        () =>
          done(
            new WardenError(
              'PM2_TIMEOUT',
              `pm2 ${label} got no answer within ${timeoutMs}ms (PM2_HOME=${home}); is the pm2 daemon stuck?`,
            ),
          ),
        timeoutMs,
      );
      const onAbort = (): void => done(new WardenError('PM2_ABORTED', `pm2 ${label} cancelled`));
      signal?.addEventListener('abort', onAbort, { once: true });
      invoke(pm2, (err, result) =>
        done(err ? new WardenError('PM2_FAILED', `pm2 ${label}: ${describeError(err)}`, { cause: err }) : null, result),
      );
    });
  };

  const connect = async (): Promise<void> => {
    const pm2module = (await import('pm2')).default as unknown as Pm2Module;
    const candidate = new pm2module.custom({ pm2_home: home });
    // launchRPC only opens the socket; pm2.connect() would also start a daemon when none answers
    await bounded('connect', (cb) => candidate.Client.launchRPC((err) => cb(err ?? null, undefined)));
    const bus = await bounded<Pm2Bus>('launchBus', (cb) => candidate.Client.launchBus((err, b) => cb(err, b)));
    // an unhandled 'error' on these sockets would crash warden; axon reconnects by itself
    for (const socket of [candidate.Client.client_sock, candidate.Client.sub_sock])
      socket?.on('error', (err) => log.debug({ err }, 'pm2 socket error'));
    // pm2 says how an app exited only in its own log line, which the bus relays just before the exit event
    const exitSignals = new Map<string, string>();
    bus.on('log:PM2', (packet) => {
      const exit = exitSignalOf(packet);
      if (exit) exitSignals.set(exit.app, exit.signal);
    });
    bus.on('process:event', (packet) => {
      const event = toProcessEvent(packet);
      if (!event) return;
      if (event.event === 'exit') {
        event.signal = exitSignals.get(event.app.name) ?? null;
        exitSignals.delete(event.app.name);
      }
      notify(eventListeners, event);
    });
    bus.on('log:err', (packet) => {
      const output = toErrorOutput(packet);
      if (output) notify(outputListeners, output);
    });
    for (const [event, stream] of [
      ['log:out', 'out'],
      ['log:err', 'err'],
      ['log:PM2', 'daemon'],
    ] as const)
      bus.on(event, (packet) => {
        if (rawOutputListeners.size === 0) return;
        const output = toOutput(packet, stream);
        if (output) notify([...rawOutputListeners], output);
      });
    bus.on('pm2:kill', () => setAttached(false, 'pm2 kill'));
    api = candidate;
  };

  const bounded = <T>(label: string, invoke: (cb: (err: Error | null, result: T) => void) => void): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new WardenError('PM2_TIMEOUT', `pm2 ${label} got no answer within ${callTimeoutMs}ms`)),
        callTimeoutMs,
      );
      invoke((err, result) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(result);
      });
    });

  const probe = async (): Promise<void> => {
    if (stopped) return;
    const alive = await socketAccepts(socketPath, Math.min(callTimeoutMs, 2000));
    if (!alive) {
      setAttached(false, `no daemon answers on ${socketPath}`);
      return;
    }
    if (isAttached) return;
    try {
      if (!api) await connect();
      else {
        // the old connection and bus reconnect by themselves; make sure this daemon answers
        await callDaemon('list', (pm2, cb) => pm2.list(cb));
      }
      if (!stopped) setAttached(true, '');
    } catch (err) {
      log.warn({ err, home }, 'pm2 attach failed; will retry');
    }
  };

  const loop = every({
    name: 'pm2-attach',
    intervalMs: options.probeIntervalMs ?? 2000,
    clock,
    log,
    run: probe,
  });

  const describe = async (app: string, signal?: AbortSignal): Promise<Pm2AppInfo | null> => {
    const list = await call<unknown[]>(`describe ${app}`, (pm2, cb) => pm2.describe(app, cb), signal);
    const first = Array.isArray(list) ? list[0] : undefined;
    return first === undefined ? null : toAppInfo(first);
  };

  let stopping: Promise<void> | undefined;
  return {
    name: 'pm2',
    home,
    attached: () => isAttached,
    start: async () => {
      await probe();
      if (!isAttached) log.warn({ home }, 'pm2 daemon not running; will attach when it starts');
      await loop.start();
    },
    stop: () =>
      (stopping ??= (async () => {
        stopped = true;
        await loop.stop();
        isAttached = false;
        // only our sockets: the daemon and its apps keep running
        for (const socket of [api?.Client.sub_sock, api?.Client.client_sock]) {
          try {
            socket?.close();
          } catch (err) {
            log.debug({ err }, 'pm2 socket close failed');
          }
        }
      })()),
    describe,
    list: async (signal) => {
      const list = await call<unknown[]>('list', (pm2, cb) => pm2.list(cb), signal);
      return (Array.isArray(list) ? list : []).map(toAppInfo).filter((a): a is Pm2AppInfo => a !== null);
    },
    restart: async (app, signal) => {
      // pm2 answers once the old process is gone, and a hung app takes its whole kill_timeout to go
      const killTimeoutMs = (await describe(app, signal))?.killTimeoutMs ?? pm2DefaultKillTimeoutMs;
      restartRequests.set(app, clock.now());
      await call(`restart ${app}`, (pm2, cb) => pm2.restart(app, cb), signal, callTimeoutMs + killTimeoutMs);
    },
    // the RPC itself: pm2's API method prints to stdout
    reloadLogs: async (signal) => {
      await call<unknown>('reloadLogs', (pm2, cb) => pm2.Client.executeRemote('reloadLogs', {}, cb), signal);
    },
    claimRestartRequest: (app) => {
      const at = restartRequests.get(app);
      restartRequests.delete(app);
      return at !== undefined && clock.now() - at < restartRequestTtlMs;
    },
    onEvent: (listener) => void eventListeners.push(listener),
    onErrorOutput: (listener) => void outputListeners.push(listener),
    onOutput: (listener) => {
      rawOutputListeners.add(listener);
      return () => void rawOutputListeners.delete(listener);
    },
    onAttach: (listener) => void attachListeners.push(listener),
    onDetach: (listener) => void detachListeners.push(listener),
  };
}

/** Whether something accepts connections on the daemon's RPC socket; a stale socket file refuses. */
export function socketAccepts(socketPath: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const connection = net.connect(socketPath);
    const done = (alive: boolean): void => {
      connection.destroy();
      resolve(alive);
    };
    connection.setTimeout(timeoutMs, () => done(false));
    connection.once('connect', () => done(true));
    connection.once('error', () => done(false));
  });
}

/** pm2's `kill_timeout` when the app does not set one. */
const pm2DefaultKillTimeoutMs = 1600;

/** A restart warden asked for shows up as pm2 events within this. */
const restartRequestTtlMs = 30_000;

type Raw = Record<string, unknown>;
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** Picks named fields out of a `describe`/`list` item or a bus packet's `process`; the rest (the app's env) is dropped. */
export function toAppInfo(raw: unknown): Pm2AppInfo | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const top = raw as Raw;
  const env = (typeof top.pm2_env === 'object' && top.pm2_env !== null ? top.pm2_env : top) as Raw;
  const name = typeof top.name === 'string' ? top.name : typeof env.name === 'string' ? env.name : null;
  if (name === null) return null;
  return {
    name,
    pmId: num(top.pm_id) ?? num(env.pm_id) ?? -1,
    pid: num(top.pid) || null,
    status: typeof env.status === 'string' ? env.status : 'unknown',
    restarts: num(env.restart_time) ?? 0,
    unstableRestarts: num(env.unstable_restarts) ?? 0,
    startedAt: num(env.pm_uptime),
    createdAt: num(env.created_at),
    exitCode: num(env.exit_code),
    errLogPath: typeof env.pm_err_log_path === 'string' ? env.pm_err_log_path : null,
    outLogPath: typeof env.pm_out_log_path === 'string' ? env.pm_out_log_path : null,
    clusterMode: env.exec_mode === 'cluster_mode',
    autorestart: env.autorestart !== false,
    killTimeoutMs: num(env.kill_timeout) ?? pm2DefaultKillTimeoutMs,
  };
}

function toProcessEvent(packet: unknown): Pm2ProcessEvent | null {
  if (typeof packet !== 'object' || packet === null) return null;
  const p = packet as Raw;
  const app = toAppInfo(p.process);
  if (!app || typeof p.event !== 'string') return null;
  return { event: p.event, manually: p.manually === true, at: num(p.at) ?? Date.now(), app };
}

/**
 * `App [api:0] exited with code [0] via signal [SIGKILL]` → `{ app: 'api', signal: 'SIGKILL' }`.
 * pm2 writes SIGINT for an exit without a signal, so SIGINT says nothing and is dropped.
 */
function exitSignalOf(packet: unknown): { app: string; signal: string } | null {
  const data = typeof packet === 'object' && packet !== null ? (packet as Raw).data : undefined;
  if (typeof data !== 'string') return null;
  const match = /^App \[(.+):\d+\] exited with code \[-?\d+\] via signal \[(SIG[A-Z0-9]+)\]/.exec(data);
  if (!match || match[2] === 'SIGINT') return null;
  return { app: match[1]!, signal: match[2]! };
}

function toErrorOutput(packet: unknown): Pm2ErrorOutput | null {
  if (typeof packet !== 'object' || packet === null) return null;
  const p = packet as Raw;
  const processInfo = p.process as Raw | undefined;
  if (typeof processInfo?.name !== 'string') return null;
  return {
    app: processInfo.name,
    at: num(p.at) ?? Date.now(),
    text: typeof p.data === 'string' ? p.data : String(p.data),
  };
}

function toOutput(packet: unknown, stream: Pm2Output['stream']): Pm2Output | null {
  if (typeof packet !== 'object' || packet === null) return null;
  const p = packet as Raw;
  if (typeof p.data !== 'string') return null;
  const pmId = stream === 'daemon' ? null : num((p.process as Raw | undefined)?.pm_id);
  return stream === 'daemon' || pmId !== null ? { pmId, stream, text: p.data } : null;
}
