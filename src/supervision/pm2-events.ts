import type { ServiceConfig } from '../config/schema.ts';
import { formatDuration } from '../config/units.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { Part } from '../lib/part.ts';
import { runInBackground } from '../lib/run-in-background.ts';
import { graceMs } from '../actions/restart/restart-policy.ts';
import { downIncidentKey, type Dependencies } from './dependencies.ts';
import { createErrorLogEvidence, type ErrorLogEvidence } from './error-log-evidence.ts';
import type { Pm2AppInfo, Pm2Client, Pm2ProcessEvent } from '../pm2/types.ts';
import type { IncidentSink } from '../incidents/types.ts';

export interface Pm2EventsOptions {
  client: Pm2Client;
  /** The pm2-managed services (those with `pm2` set). */
  services: ServiceConfig[];
  incidents: IncidentSink;
  dependencies: Dependencies;
  /** The error log lines of a crash loop; shared with the monitors, whose passes mark what is history. */
  evidence?: ErrorLogEvidence;
  clock: Clock;
  log: Logger;
  /** How long an app must stay online after a crash before `service-crashed` and `crash-loop` resolve. */
  stableMs?: number;
}

interface AppState {
  service: ServiceConfig;
  /** Set by an exit pm2 announced (`stopping`): restart, reload, stop or delete asked by warden or an operator. */
  deliberateUntil: number;
  /** Who asked for the last announced exit; a `stop` after an operator's is paged. */
  stoppedBy: 'warden' | 'operator' | null;
  /** The service-down this run opened for an operator's stop: it resolves with the crash incidents. */
  operatorStopped: boolean;
  /** Unexpected exits within the service's restart window, since its last stable stretch. */
  exits: number[];
  stable: AbortController | null;
  /** Recent stderr lines from the bus, the freshest explanation of a crash. */
  stderr: Array<{ at: number; line: string }>;
  /** Events of one app are handled in order; incidents for one key must not race. */
  queue: Promise<void>;
}

/** A deliberate stop's second `exit` and the following `online` arrive within this. */
const deliberateMs = 30_000;
const stderrKept = 20;
/** stderr older than this at a crash is history, not the cause. */
const stderrFreshMs = 60_000;

/**
 * Turns pm2's event bus into incidents as things happen: an unexpected exit opens
 * `service-crashed` at once; `restart overlimit`, an `errored` app, or `maxRestarts` exits within
 * the service's restart window open `crash-loop`. Exits that pm2 announced as `stopping` (a
 * restart, reload or stop asked by warden or an operator) are no crash. Both resolve once the app
 * stays online for `stableMs` and the service's own check passes (also those an earlier run of
 * warden opened), and the exits of a loop that resolved no longer count toward the next one.
 */
export function createPm2Events(options: Pm2EventsOptions): Part {
  const { client, incidents, dependencies, clock } = options;
  const log = options.log.child({ part: 'pm2-events' });
  const stableMs = options.stableMs ?? 60_000;
  const evidence = options.evidence ?? createErrorLogEvidence(client);
  const apps = new Map<string, AppState>(
    options.services.map((service) => [
      service.pm2 ?? service.name,
      {
        service,
        deliberateUntil: 0,
        stoppedBy: null,
        operatorStopped: false,
        exits: [],
        stable: null,
        stderr: [],
        queue: Promise.resolve(),
      },
    ]),
  );
  let stopped = false;

  const enqueue = (state: AppState, task: string, work: () => Promise<void>): void => {
    const next = state.queue.then(work, work);
    state.queue = next.catch(() => undefined);
    runInBackground(log, task, () => next);
  };

  const recentStderr = (state: AppState, at: number): string | null => {
    const lines = state.stderr.filter((l) => at - l.at <= stderrFreshMs).map((l) => l.line);
    return lines.length > 0 ? lines.join('\n') : null;
  };

  const reportCrashLoop = async (state: AppState, detail: string, app: Pm2AppInfo): Promise<void> => {
    const name = state.service.name;
    // the loop began with its first exit, or (pm2 looped before warden saw it) when pm2 last started the app
    const since = state.exits[0] ?? app.startedAt ?? clock.now();
    const excerpt = (await evidence.excerpt(state.service, since, app.errLogPath)) ?? recentStderr(state, clock.now());
    // debug: the tracker logs the incident once when it opens; a crash loop repeats every few seconds
    log.debug({ key: `crash-loop:${name}`, detail }, 'crash loop');
    await incidents.report(`crash-loop:${name}`, {
      detail,
      excerpt,
      parentKey: dependencies.downParentNow(name),
    });
  };

  const onCrash = async (state: AppState, event: Pm2ProcessEvent): Promise<void> => {
    const { app } = event;
    const name = state.service.name;
    const now = clock.now();
    state.exits = [...state.exits.filter((at) => now - at < state.service.restart.windowMs), now];
    const uptimeMs = app.startedAt !== null ? Math.max(0, event.at - app.startedAt) : null;
    const how = howItExited(event);
    const restarting = app.autorestart && app.status !== 'errored';
    const detail = `${app.name} exited unexpectedly (${how}${uptimeMs !== null ? `, after ${formatDuration(uptimeMs)} up` : ''}); ${restarting ? 'pm2 restarted it' : 'pm2 did not restart it'}`;
    const key = `service-crashed:${name}`;
    log.debug({ key, exitCode: app.exitCode, uptimeMs, restarts: app.restarts, status: app.status }, 'service crashed');
    await incidents.report(key, {
      detail,
      excerpt: recentStderr(state, event.at),
      parentKey: dependencies.downParentNow(name),
    });
    const { maxRestarts, windowMs } = state.service.restart;
    if (state.exits.length >= maxRestarts)
      await reportCrashLoop(
        state,
        `${app.name} exited ${state.exits.length}× within ${formatDuration(windowMs)} (last: ${how})`,
        app,
      );
  };

  // The page names the stop and when warden restarts the app (once its checks call it down), so
  // the operator who meant it has time to `warden silence` it.
  const onOperatorStop = async (state: AppState, event: Pm2ProcessEvent): Promise<void> => {
    const { service } = state;
    state.operatorStopped = true;
    await incidents.report(downIncidentKey(service), {
      detail: `${event.app.name} is stopped in pm2 (pm2 stop)`,
      severity: service.severity,
      parentKey: dependencies.downParentNow(service.name),
      action: {
        kind: 'pm2-stop',
        ok: true,
        detail: 'stopped with pm2 by an operator',
        restartInMs: service.restart.strategy === 'none' ? null : graceMs(service),
      },
    });
  };

  // Level-triggered: an app that stays online clears its crash incidents whether this run or an
  // earlier one opened them (the tracker ignores an ok for a key with nothing open).
  const scheduleStable = (state: AppState, delayMs = stableMs): void => {
    state.stable?.abort();
    const controller = new AbortController();
    state.stable = controller;
    runInBackground(log, `stable:${state.service.name}`, async () => {
      const name = state.service.name;
      try {
        await clock.sleep(delayMs, controller.signal);
      } catch {
        return;
      }
      // pm2's "online" is not health: a hung or stopped (SIGSTOP) process is online too
      const healthy = await dependencies.passes(name, controller.signal);
      if (controller.signal.aborted || stopped) return;
      if (!healthy) {
        scheduleStable(state, state.service.intervalMs);
        return;
      }
      enqueue(state, `resolve-crash:${name}`, async () => {
        if (controller.signal.aborted || stopped) return;
        const detail = `${name} has stayed online for ${formatDuration(stableMs)} and its check passes`;
        // the loop is over: its exits no longer count toward the next one
        state.exits = [];
        await incidents.observe(`service-crashed:${name}`, { ok: true, detail });
        await incidents.observe(`crash-loop:${name}`, { ok: true, detail });
        if (state.operatorStopped) await incidents.observe(downIncidentKey(state.service), { ok: true, detail });
        state.operatorStopped = false;
        state.stable = null;
      });
    });
  };

  const onEvent = (event: Pm2ProcessEvent): void => {
    const state = apps.get(event.app.name);
    if (!state || stopped) return;
    const now = clock.now();
    switch (event.event) {
      case 'exit': {
        if (event.app.status === 'stopping') {
          state.deliberateUntil = now + deliberateMs;
          state.stable?.abort();
          const by = client.claimRestartRequest(event.app.name) ? 'warden' : 'operator';
          state.stoppedBy = by;
          log.info({ app: event.app.name, by }, 'app stopped on request');
          return;
        }
        if (now < state.deliberateUntil) return;
        // before anything else runs: pm2 may deliver this exit and the next `online` in one read
        state.stable?.abort();
        enqueue(state, `crash:${state.service.name}`, () => onCrash(state, event));
        return;
      }
      case 'online':
      case 'restart':
      case 'reload':
      case 'start':
        state.deliberateUntil = 0;
        state.stoppedBy = null;
        scheduleStable(state);
        return;
      case 'stop':
      case 'delete':
        state.deliberateUntil = 0;
        state.stable?.abort();
        if (event.event === 'stop' && state.stoppedBy === 'operator')
          enqueue(state, `stopped:${state.service.name}`, () => onOperatorStop(state, event));
        state.stoppedBy = null;
        return;
      case 'restart overlimit':
        enqueue(state, `crash-loop:${state.service.name}`, () =>
          reportCrashLoop(
            state,
            `pm2 gave up on ${event.app.name} after ${event.app.restarts} restarts (restart overlimit); it stays down until restarted`,
            event.app,
          ),
        );
        return;
    }
  };

  let attachSeen = false;
  const onAttach = (): void => {
    attachSeen = true;
    runInBackground(log, 'pm2-events.scan', async () => {
      // an app that was already errored when warden attached sent its events to nobody; one that
      // is online counts toward its stable stretch from when it started
      for (const app of await client.list()) {
        const state = apps.get(app.name);
        if (!state) continue;
        if (app.status === 'errored')
          enqueue(state, `crash-loop:${state.service.name}`, () =>
            reportCrashLoop(state, `pm2 shows ${app.name} errored after ${app.restarts} restarts`, app),
          );
        else if (app.status === 'online' && (!state.stable || state.stable.signal.aborted)) {
          const upMs = app.startedAt !== null ? clock.now() - app.startedAt : 0;
          scheduleStable(state, Math.max(0, stableMs - upMs));
        }
      }
    });
  };

  client.onEvent(onEvent);
  client.onErrorOutput((output) => {
    const state = apps.get(output.app);
    if (!state || stopped) return;
    for (const line of output.text.split('\n')) {
      const trimmed = line.trimEnd();
      if (trimmed) state.stderr.push({ at: output.at, line: trimmed.slice(0, 500) });
    }
    if (state.stderr.length > stderrKept) state.stderr.splice(0, state.stderr.length - stderrKept);
  });
  client.onAttach(onAttach);
  client.onDetach(() => {
    for (const state of apps.values()) state.stable?.abort();
  });

  let stopping: Promise<void> | undefined;
  return {
    name: 'pm2-events',
    start: () => {
      if (client.attached() && !attachSeen) onAttach();
      return Promise.resolve();
    },
    stop: () =>
      (stopping ??= (async () => {
        stopped = true;
        for (const state of apps.values()) state.stable?.abort();
        await Promise.all([...apps.values()].map((s) => s.queue));
      })()),
  };
}

/** `killed by SIGKILL`, `exit code 1`; pm2 reports code 0 for a kill by signal, so 0 without a signal may be one. */
function howItExited(event: Pm2ProcessEvent): string {
  if (event.signal) return `killed by ${event.signal}`;
  const code = event.app.exitCode;
  if (code === null) return 'exit code unknown';
  return code === 0 && event.signal === undefined ? 'exit code 0 or a signal' : `exit code ${code}`;
}
