import { staleAfterMs } from '../../store/fleet-view.ts';
import { latestRun } from '../../store/runs.ts';
import { alertModeOf, describeAlertMode } from './alert-mode.ts';
import type { StatusSection } from './types.ts';

export const daemonStatus: StatusSection = {
  key: 'daemon',
  title: 'Daemon',
  async read({ store, now, config }) {
    const run = await latestRun(store, config.host);
    const state = !run
      ? 'never started'
      : run.stoppedAt !== null
        ? 'stopped'
        : now - run.lastTickAt < staleAfterMs
          ? 'running'
          : 'not responding';
    const since = run ? new Date(run.stoppedAt ?? run.startedAt).toISOString() : null;
    const json = {
      state,
      pid: run?.pid ?? null,
      since,
      lastTickAt: run ? new Date(run.lastTickAt).toISOString() : null,
    };
    const alerts = alertModeOf(run, config);
    return {
      json: { ...json, dryRun: alerts.mode === 'dry-run' },
      lines: [
        `${state}${run ? ` (pid ${run.pid}, since ${since})` : ''}; ${describeAlertMode(alerts, config.telegram.chats.length)}`,
      ],
    };
  },
};
