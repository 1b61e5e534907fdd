import { parseIncidentKey } from '../../src/incidents/topics.ts';
import type { Incident } from '../../src/incidents/types.ts';
import type { RenderContext } from '../../src/alerts/render/context.ts';

export const at0312 = Date.UTC(2026, 10, 28, 3, 12, 0);

/** An incident as the store returns it, opened at 03:12 UTC; override what the test is about. */
export function makeIncident(key = 'service-down:api', overrides: Partial<Incident> = {}): Incident {
  const { topic, subject } = parseIncidentKey(key);
  return {
    id: 1,
    key,
    topic,
    subject,
    severity: 'critical',
    state: 'open',
    detail: 'GET http://127.0.0.1:3000/healthz: timed out after 5000ms',
    excerpt: null,
    openedAt: at0312,
    lastSeenAt: at0312,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    count: 1,
    actions: [],
    parentKey: null,
    ...overrides,
    conversationId: overrides.conversationId ?? overrides.id ?? 1,
  };
}

export function renderContext(overrides: Partial<RenderContext> = {}): RenderContext {
  return {
    host: 'prod-1',
    timezone: 'UTC',
    locale: 'en',
    now: at0312 + 5 * 60_000,
    quietHours: null,
    runbookUrl: (topic) => `https://github.com/acme/warden/blob/main/docs/runbook/${topic}.md`,
    ...overrides,
  };
}
