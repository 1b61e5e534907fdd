import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appsDir } from '../helpers/pm2.ts';
import { closedPort } from '../helpers/servers.ts';
import { until } from '../helpers/until.ts';
import { healthz, onPm2, usePm2AndTelegram } from './helpers/warden-on-pm2.ts';

// Issue 4's acceptance, end to end: the real daemon (checks, pm2 bus, restarts, tracker, outbox,
// dispatcher, Telegram channel) against a real pm2 daemon and the fake Bot API.
const { pm2, chat, fake: currentFake, startWarden, startHttpApp } = usePm2AndTelegram();

const titles = () =>
  currentFake()
    .messagesTo(chat)
    .map((m) => m.plainText.split('\n')[0]);
const pm2Restarts = async (name: string): Promise<number> => {
  const list = JSON.parse(await pm2.cli('jlist')) as Array<{ name: string; pm2_env: { restart_time: number } }>;
  return list.find((p) => p.name === name)?.pm2_env.restart_time ?? -1;
};

describe('supervision acceptance', () => {
  it('alerts on a SIGKILLed app from the pm2 bus, long before the next check', async () => {
    const port = await startHttpApp('api');
    const { store } = await startWarden(onPm2('api', healthz(port), 'interval: 30s'));
    await until(
      async () => (await store.db.selectFrom('check_results').selectAll().execute()).length > 0,
      5000,
      'first check',
    );
    process.kill(await pm2.pidOf('api'), 'SIGKILL');
    // the next check is 30 s away, so an alert within 20 s came from the bus (the latency itself is
    // measured in bench/supervision-crash-latency.ts)
    await currentFake().waitFor(() => titles().some((t) => t?.includes('Service crashed')), 20_000, 'the crash alert');
    const alert = currentFake()
      .messagesTo(chat)
      .find((m) => m.plainText.includes('Service crashed'))!;
    expect(alert.plainText).toContain('api exited unexpectedly');
    expect(alert.plainText).toContain('pm2 restarted it');
  });

  it('restarts an app whose health check hangs, then resolves the alert', async () => {
    const port = await startHttpApp('web');
    const { store: db } = await startWarden(
      onPm2('web', healthz(port, '300ms'), 'interval: 1s, failureThreshold: 2, restart: { backoff: 1s..5s }'),
    );
    await until(
      async () => (await db.db.selectFrom('check_results').selectAll().where('ok', '=', 1).execute()).length > 0,
      5000,
      'healthy',
    );
    const before = await pm2Restarts('web');
    await fetch(`http://127.0.0.1:${port}/hang`);
    await currentFake().waitFor(() => titles().some((t) => t === '🔴 Service down · web'), 5000, 'the down alert');
    await until(async () => (await pm2Restarts('web')) === before + 1, 5000, 'the pm2 restart');
    const alert = currentFake()
      .messagesTo(chat)
      .find((m) => m.plainText.startsWith('🔴 Service down · web'))!;
    await currentFake().waitFor(
      () => alert.edits.some((e) => e.plainText.startsWith('✅ Resolved')),
      8000,
      'the resolved edit',
    );
    expect(alert.edits.at(-1)!.plainText).toContain('restarted 1×');
    expect(titles().some((t) => t?.includes('Service crashed'))).toBe(false);
    const incident = await db.db
      .selectFrom('incidents')
      .selectAll()
      .where('key', '=', 'service-down:web')
      .executeTakeFirstOrThrow();
    expect(incident.state).toBe('resolved');
    expect(JSON.parse(incident.actions)).toEqual([
      expect.objectContaining({ kind: 'restart', ok: true, detail: 'pm2 restart web' }),
    ]);
  });

  it('gives up on an app that crashes at start: exactly one restart-gave-up, then no more restarts', async () => {
    // a wide min_uptime: on a loaded machine a node start alone can take a second, and pm2 counts a
    // crash as unstable only within min_uptime × max_restarts of the app's creation
    await pm2.startApps([
      { name: 'cron', script: path.join(appsDir, 'crash-at-start.mjs'), min_uptime: 10_000, max_restarts: 1 },
    ]);
    const { store: db } = await startWarden(
      onPm2(
        'cron',
        '{ pm2: {} }',
        'interval: 1s, failureThreshold: 1, restart: { backoff: 200ms..400ms, maxRestarts: 2, window: 1m }',
      ),
      // a loaded machine may take over a second to boot the app before it crashes: not stable
      { stableMs: 30_000 },
    );
    await currentFake().waitFor(
      () => titles().some((t) => t?.includes('Restarts gave up')),
      30_000,
      'the give-up alert',
    );
    const restartsAtGiveUp = await pm2Restarts('cron');
    // three more checks of the still-down app went by (results are stored), and no restart followed
    const checks = async () =>
      (await db.db.selectFrom('check_results').select('id').where('service', '=', 'cron').execute()).length;
    const checksAtGiveUp = await checks();
    await until(async () => (await checks()) >= checksAtGiveUp + 3, 15_000, 'three more checks');
    // one outage, one conversation: the give-up is a reply under its page, which it now leads
    expect(titles().filter((t) => t?.includes('Restarts gave up'))).toEqual([
      '🔺 Now: Restarts gave up: a human is needed · cron',
    ]);
    expect(await pm2Restarts('cron')).toBe(restartsAtGiveUp);
    // on service-down or crash-loop (both ask the policy), on one incident each or more when a
    // loaded machine caught the app online between its crashes
    const acted = await db.db
      .selectFrom('incidents')
      .select('actions')
      .where('key', 'in', ['service-down:cron', 'crash-loop:cron'])
      .execute();
    expect(acted.flatMap((d) => JSON.parse(d.actions) as unknown[])).toHaveLength(2);
    const gaveUp = currentFake()
      .messagesTo(chat)
      .find((m) => m.plainText.includes('Restarts gave up'))!;
    expect(gaveUp.plainText).toContain('cron was restarted 2× within 1m and is still down');
    const page = currentFake()
      .messagesTo(chat)
      .find((m) => m.messageId === gaveUp.replyTo)!;
    await currentFake().waitFor(
      () => (page.edits.at(-1)?.plainText ?? '').startsWith('🔴 Restarts gave up: a human is needed · cron'),
      10_000,
      'the page led by the give-up',
    );
    expect(page.edits.at(-1)!.plainText).toContain('restarted 2×');
  });

  it('opens db-down for a closed PostgreSQL port and pages nothing separate for a failing dependent', async () => {
    const dbPort = await closedPort();
    const apiPort = await closedPort();
    const { store: db } = await startWarden(`  main:
    check: { postgres: { url: "postgres://app@127.0.0.1:${dbPort}/app", timeout: 500ms } }
    interval: 1s
    failureThreshold: 2
  api:
    check: { http: { url: "http://127.0.0.1:${apiPort}/healthz", timeout: 300ms } }
    interval: 1s
    failureThreshold: 1
    dependsOn: [main]
`);
    await currentFake().waitFor(() => titles().includes('🔴 Database unreachable · main'), 8000, 'db-down');
    // the dependent failed three more checks since, and every alert queued so far is out
    const apiChecks = async () =>
      (await db.db.selectFrom('check_results').select('id').where('service', '=', 'api').execute()).length;
    const apiChecksAtDbDown = await apiChecks();
    await until(async () => (await apiChecks()) >= apiChecksAtDbDown + 3, 15_000, 'three more api checks');
    await until(
      async () => (await db.db.selectFrom('outbox').select('id').where('state', '=', 'pending').execute()).length === 0,
      10_000,
      'no pending outbox row',
    );
    expect(titles()).toEqual(['🔴 Database unreachable · main']);
    const child = await db.db
      .selectFrom('incidents')
      .selectAll()
      .where('key', '=', 'service-down:api')
      .executeTakeFirstOrThrow();
    expect(child).toMatchObject({ state: 'open', parent_key: 'db-down:main' });
  });
});
