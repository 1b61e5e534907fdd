import type { Severity } from './types.ts';

/**
 * Every incident topic warden can raise: its default severity, the runbook page
 * (`docs/runbook/<topic>.md`) and the first step shown in the alert (the same line opens the page's
 * "Check first"; `{subject}` is the incident's subject, `<name>` on the page). Stored keys start
 * with the topic, so this list is append-only.
 */
export const topics = {
  'service-down': {
    severity: 'critical',
    title: 'Service down',
    firstStep:
      "Run `warden status` to see every service's last check, then `npm run pm2 -- logs {subject} --lines 100` in the warden folder for the app's own error.",
  },
  'service-crashed': {
    severity: 'warning',
    title: 'Service crashed and was restarted by pm2',
    firstStep:
      'Run `npm run pm2 -- logs {subject} --err --lines 100` in the warden folder: the error before the exit is at the end.',
  },
  'crash-loop': {
    severity: 'critical',
    title: 'Service is crash-looping',
    firstStep:
      'Run `npm run pm2 -- logs {subject} --err --lines 200` in the warden folder: every start hits the same error.',
  },
  'restart-gave-up': {
    severity: 'critical',
    title: 'Restarts gave up: a human is needed',
    firstStep:
      'Run `npm run pm2 -- describe {subject}` and `npm run pm2 -- logs {subject} --err --lines 200` in the warden folder: warden stopped restarting, a human fixes the cause.',
  },
  'db-down': {
    severity: 'critical',
    title: 'Database unreachable',
    firstStep:
      'Run `pg_isready -h 127.0.0.1 -p 5432` (host and port from the check): is PostgreSQL accepting connections?',
  },
  'disk-usage': {
    severity: 'warning',
    title: 'Disk filling up',
    firstStep:
      'Run `df -h {subject}` and `du -xh --max-depth=1 {subject} | sort -h | tail -15` to find what filled it.',
  },
  'disk-forecast': {
    severity: 'warning',
    title: 'Disk predicted to fill',
    firstStep:
      'Run `du -xh --max-depth=2 {subject} | sort -h | tail -15` now and again in 10 minutes: the folder that grows is the cause.',
  },
  'log-size': {
    severity: 'warning',
    title: 'Log file too large',
    firstStep: 'Run `ls -lh {subject}` twice, 10 seconds apart, and `tail -n 50 {subject}` to see what floods it.',
  },
  'log-errors': {
    severity: 'warning',
    title: 'Errors in logs',
    firstStep:
      'Read the matched lines in this alert, then `npm run pm2 -- logs --err --lines 200` in the warden folder for their context.',
  },
  'backup-failed': {
    severity: 'critical',
    title: 'Backup failed',
    firstStep: "Run `warden backup list` in the warden folder: the failed run's error names the cause.",
  },
  'backup-stale': {
    severity: 'warning',
    title: 'Backup is stale',
    firstStep: 'Run `warden backup list` in the warden folder: when was the last good backup, and did later runs fail?',
  },
  'alert-delivery': {
    severity: 'warning',
    title: 'Alerts are not being delivered',
    firstStep: 'Run `warden check` in the warden folder: it tests the bot token and every chat and names the fix.',
  },
  'warden-restarted': {
    severity: 'info',
    title: 'warden restarted after an unclean stop',
    firstStep:
      'Run `npm run pm2 -- logs warden --err --lines 200` in the warden folder: a fatal error before the stop, or nothing (a kill or a reboot).',
  },
  'host-memory': {
    severity: 'warning',
    title: 'Host memory low',
    firstStep: 'Run `ps aux --sort=-rss | head -15` to see which process holds the memory.',
  },
  'host-load': {
    severity: 'warning',
    title: 'Host load high',
    firstStep: 'Run `top -b -n 1 | head -20` to see what uses the CPU, and `vmstat 1 5` for waiting on disk.',
  },
  'host-down': {
    severity: 'critical',
    title: 'Fleet host stopped reporting',
    firstStep:
      'Run `ssh {subject} uptime` from another machine: a host that does not answer is down or cut off; one that answers has lost its warden or its link to the store.',
  },
} as const satisfies Record<string, { severity: Severity; title: string; firstStep: string }>;

export type Topic = keyof typeof topics;

/**
 * Topics whose repeats edit the open alert in place (no new notification): a crash that happens
 * again shows "crashed 3× since 02:55, last 02:57". Others repeat every check and stay quiet.
 */
export const editedOnRepeat: ReadonlySet<Topic> = new Set<Topic>(['service-crashed']);

/**
 * Topics about the fleet itself, kept by whichever instance leads: their incidents belong to no host
 * ('') and are found from any host, so a new leader carries on (and resolves) what its predecessor opened.
 */
export const fleetWide: ReadonlySet<Topic> = new Set<Topic>(['host-down']);

export const topicNames = Object.keys(topics) as Topic[];

export function isTopic(value: string): value is Topic {
  return Object.hasOwn(topics, value);
}

/** `service-down:api` → `{ topic: 'service-down', subject: 'api' }`; `alert-delivery` has no subject. */
export function parseIncidentKey(key: string): {
  topic: Topic;
  subject: string;
} {
  const colon = key.indexOf(':');
  const topic = colon === -1 ? key : key.slice(0, colon);
  if (!isTopic(topic)) throw new Error(`unknown incident topic in key "${key}"`);
  return { topic, subject: colon === -1 ? '' : key.slice(colon + 1) };
}
