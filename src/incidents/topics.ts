import type { Severity } from './types.ts';

/**
 * Every incident topic warden can raise: its default severity and the runbook page
 * (`docs/runbook/<topic>.md`). Stored keys start with the topic, so this list is append-only.
 */
export const topics = {
  'service-down': { severity: 'critical', title: 'Service down' },
  'service-crashed': {
    severity: 'warning',
    title: 'Service crashed and was restarted by pm2',
  },
  'crash-loop': { severity: 'critical', title: 'Service is crash-looping' },
  'restart-gave-up': {
    severity: 'critical',
    title: 'Restarts gave up: a human is needed',
  },
  'db-down': { severity: 'critical', title: 'Database unreachable' },
  'disk-usage': { severity: 'warning', title: 'Disk filling up' },
  'disk-forecast': { severity: 'warning', title: 'Disk predicted to fill' },
  'log-size': { severity: 'warning', title: 'Log file too large' },
  'log-errors': { severity: 'warning', title: 'Errors in logs' },
  'backup-failed': { severity: 'critical', title: 'Backup failed' },
  'backup-stale': { severity: 'warning', title: 'Backup is stale' },
  'alert-delivery': {
    severity: 'warning',
    title: 'Alerts are not being delivered',
  },
  'warden-restarted': {
    severity: 'info',
    title: 'warden restarted after an unclean stop',
  },
  'host-memory': { severity: 'warning', title: 'Host memory low' },
  'host-load': { severity: 'warning', title: 'Host load high' },
} as const satisfies Record<string, { severity: Severity; title: string }>;

export type Topic = keyof typeof topics;

/**
 * Topics whose repeats edit the open alert in place (no new notification): a crash that happens
 * again shows "crashed 3× since 02:55, last 02:57". Others repeat every check and stay quiet.
 */
export const editedOnRepeat: ReadonlySet<Topic> = new Set<Topic>(['service-crashed']);

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
