import { describe, expect, it } from 'vitest';
import { Dependencies, type ParentView } from '../../src/supervision/dependencies.ts';
import type { ServiceHealth } from '../../src/supervision/types.ts';
import { configFrom } from '../helpers/service.ts';

const config = configFrom(`services:
  db: { check: { tcp: { port: 5432 } } }
  cache: { check: { tcp: { port: 6379 } } }
  api: { check: { tcp: { port: 3000 } }, dependsOn: [db, cache] }
  bot: { check: { tcp: { port: 3001 } }, dependsOn: [api] }
`);

function view(
  key: string,
  health: ServiceHealth,
  lastOk: boolean | null,
  nextCheckOk = true,
): ParentView & { checks: number } {
  const v = {
    incidentKey: key,
    checks: 0,
    health: () => health,
    lastOk: () => lastOk,
    checkNow: () => {
      v.checks += 1;
      return Promise.resolve({ ok: nextCheckOk });
    },
  };
  return v;
}

describe('dependencies', () => {
  it('finds a parent that is down, or whose last check failed', async () => {
    const deps = new Dependencies(config.services);
    deps.register('db', view('service-down:db', 'healthy', true));
    deps.register('cache', view('service-down:cache', 'failing', false));
    expect(await deps.downParent('api', { confirm: false })).toBe('service-down:cache');
    expect(deps.downParentNow('api')).toBe('service-down:cache');
  });

  it('checks a parent that looks fine again only when asked to confirm', async () => {
    const deps = new Dependencies(config.services);
    const db = view('db-down:db', 'healthy', true, false);
    deps.register('db', db);
    deps.register('cache', view('service-down:cache', 'healthy', true));
    expect(await deps.downParent('api', { confirm: false })).toBeNull();
    expect(db.checks).toBe(0);
    expect(await deps.downParent('api', { confirm: true })).toBe('db-down:db');
    expect(db.checks).toBe(1);
  });

  it('links to the direct parent, whose own incident links further up', async () => {
    const deps = new Dependencies(config.services);
    deps.register('db', view('db-down:db', 'down', false));
    deps.register('api', view('service-down:api', 'down', false));
    expect(await deps.downParent('bot', { confirm: true })).toBe('service-down:api');
    expect(await deps.downParent('api', { confirm: true })).toBe('db-down:db');
  });

  it('has nothing to say about a service without parents', async () => {
    const deps = new Dependencies(config.services);
    expect(await deps.downParent('db', { confirm: true })).toBeNull();
    expect(deps.downParentNow('unknown')).toBeNull();
  });
});
