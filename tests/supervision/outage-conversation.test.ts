import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SentMessage } from '../fixtures/fake-telegram.ts';
import { appsDir } from '../helpers/pm2.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { until } from '../helpers/until.ts';
import { healthz, onPm2, usePm2AndTelegram } from './helpers/warden-on-pm2.ts';

// Issue 11's acceptance for one outage, one conversation: the real daemon against a real pm2 daemon
// and the fake Bot API.
const { pm2, chat, fake, startWarden, startHttpApp } = usePm2AndTelegram();

const messages = (): SentMessage[] => fake().messagesTo(chat);
/** What a message shows now: its last edit, or itself. */
const shown = (m: SentMessage): string => (m.edits.at(-1) ?? m).plainText;
const pages = (): SentMessage[] => messages().filter((m) => m.replyTo === null);

describe('one outage, one conversation (acceptance)', () => {
  it('a service that crashes at start until fixed: one page telling the whole story, two rings, one silent resolved reply', async () => {
    const fixed = path.join(tempDir(), 'fixed');
    // pm2 gives up on it quickly (errored), as it would on a real crash at start
    await pm2.startApps([
      {
        name: 'cron',
        script: path.join(appsDir, 'fixable-app.mjs'),
        env: { FIXED_FILE: fixed },
        min_uptime: 10_000,
        max_restarts: 3,
      },
    ]);
    const { store } = await startWarden(
      onPm2(
        'cron',
        '{ pm2: {} }',
        'interval: 1s, failureThreshold: 1, restart: { backoff: 200ms..400ms, maxRestarts: 2, window: 1m }',
      ),
      // a loaded machine may take over a second to boot the app before it crashes: not stable
      { stableMs: 5000 },
    );
    await fake().waitFor(
      () => messages().some((m) => m.plainText.startsWith('🔺 Now: Restarts gave up')),
      40_000,
      'the give-up escalation',
    );
    // the fix is deployed and a human restarts the app
    fs.writeFileSync(fixed, 'ok');
    await pm2.cli('restart', 'cron');
    await fake().waitFor(
      () => messages().some((m) => m.plainText.startsWith('✅ Resolved')),
      40_000,
      'the resolved reply',
    );
    await until(
      async () =>
        (await store.db.selectFrom('outbox').select('id').where('state', '=', 'pending').execute()).length === 0,
      10_000,
      'no pending outbox row',
    );

    const [page, ...others] = pages();
    expect(others).toEqual([]);
    const replies = messages().filter((m) => m.replyTo === page!.messageId);
    expect(replies.length).toBe(messages().length - 1);
    // it rang for the first page and for "a human is needed", nothing else
    const ringing = messages().filter((m) => !m.disableNotification);
    expect(ringing.length).toBeLessThanOrEqual(2);
    expect(ringing).toContain(page);
    expect(ringing.map((m) => m.plainText.split('\n')[0])).toContain(
      '🔺 Now: Restarts gave up: a human is needed · cron',
    );
    const resolved = replies.filter((m) => m.plainText.startsWith('✅ Resolved'));
    expect(resolved).toHaveLength(1);
    expect(resolved[0]!.disableNotification).toBe(true);

    // the page, edited, tells the whole story
    const incidents = await store.db
      .selectFrom('incidents')
      .selectAll()
      .where('subject', '=', 'cron')
      .orderBy('id')
      .execute();
    expect(incidents.map((i) => i.topic)).toEqual(
      expect.arrayContaining(['service-crashed', 'crash-loop', 'restart-gave-up']),
    );
    expect(new Set(incidents.map((i) => i.conversation_id ?? i.id))).toEqual(new Set([incidents[0]!.id]));
    const story = shown(page!);
    expect(story).toMatch(/^✅ Resolved after /);
    for (const incident of incidents) expect(story).toContain(titleOf[incident.topic]!);
    // one restart count: the give-up and the page agree
    const restarts = incidents.flatMap((i) => JSON.parse(i.actions) as Array<{ kind: string }>);
    const count = restarts.filter((a) => a.kind === 'restart').length;
    expect(count).toBe(2);
    expect(story).toContain(`restarted ${count}×`);
    expect(story).toContain(`cron was restarted ${count}× within 1m`);
  }, 120_000);

  it('kill -9 reads SIGKILL; kill -STOP after the crash: no resolved message while the check fails', async () => {
    const port = await startHttpApp('web');
    const { store } = await startWarden(
      onPm2('web', healthz(port, '300ms'), 'interval: 1s, failureThreshold: 2, restart: { strategy: none }'),
      // time for the test to stop the restarted process (the pm2 CLI is slow on a loaded machine)
      { stableMs: 8000 },
    );
    const checks = async (ok: boolean) =>
      (
        await store.db
          .selectFrom('check_results')
          .select('id')
          .where('service', '=', 'web')
          .where('ok', '=', ok ? 1 : 0)
          .execute()
      ).length;
    await until(async () => (await checks(true)) > 0, 10_000, 'healthy');
    const killed = await pm2.pidOf('web');
    process.kill(killed, 'SIGKILL');
    await fake().waitFor(() => pages().length === 1, 20_000, 'the crash page');
    const page = pages()[0]!;
    expect(page.plainText).toMatch(/^🟠 Service crashed and was restarted by pm2 · web/);
    expect(page.plainText).toContain('web exited unexpectedly (killed by SIGKILL');
    // pm2 brings it back "online", but it hangs
    await until(async () => ![killed, 0].includes(await pm2.pidOf('web').catch(() => 0)), 10_000, 'the new process');
    const hung = await pm2.pidOf('web');
    process.kill(hung, 'SIGSTOP');
    try {
      await fake().waitFor(() => shown(page).startsWith('🔴 Service down · web'), 20_000, 'the down edit');
      // well past the stable stretch (8 s), with more failed checks stored
      const failed = await checks(false);
      await until(async () => (await checks(false)) >= failed + 10, 30_000, 'ten more failed checks');
      await until(
        async () =>
          (await store.db.selectFrom('outbox').select('id').where('state', '=', 'pending').execute()).length === 0,
        10_000,
        'no pending outbox row',
      );
      expect(messages().filter((m) => m.plainText.startsWith('✅'))).toEqual([]);
      expect(page.edits.some((e) => e.plainText.startsWith('✅'))).toBe(false);
      const crashed = await store.db
        .selectFrom('incidents')
        .select('state')
        .where('key', '=', 'service-crashed:web')
        .executeTakeFirstOrThrow();
      expect(crashed.state).toBe('open');
    } finally {
      process.kill(hung, 'SIGCONT');
    }
    await fake().waitFor(
      () => messages().some((m) => m.plainText.startsWith('✅ Resolved')),
      20_000,
      'the resolved reply once the check passes',
    );
    expect(shown(page)).toMatch(/^✅ Resolved after /);
    expect(pages()).toEqual([page]);
  }, 120_000);

  it("names an operator's pm2 stop and when warden restarts the app", async () => {
    const port = await startHttpApp('api');
    const { store } = await startWarden(
      onPm2('api', healthz(port, '300ms'), 'interval: 1s, failureThreshold: 3, restart: { backoff: 1s..5s }'),
    );
    await until(
      async () => (await store.db.selectFrom('check_results').select('id').where('ok', '=', 1).execute()).length > 0,
      10_000,
      'healthy',
    );
    await pm2.cli('stop', 'api');
    await fake().waitFor(() => pages().length === 1, 20_000, 'the stop page');
    const page = pages()[0]!;
    expect(page.plainText).toMatch(/^🔴 Service down · api/);
    expect(page.plainText).toMatch(
      /stopped with pm2 at \d\d:\d\d by an operator; warden will restart it in 3s unless you warden silence api/,
    );
    // warden restarts it once its checks call it down, and the page resolves
    await fake().waitFor(() => shown(page).startsWith('✅ Resolved'), 30_000, 'the resolved edit');
    expect(shown(page)).toContain('restarted 1×');
    expect(pages()).toEqual([page]);
  }, 120_000);
});

const titleOf: Record<string, string> = {
  'service-crashed': 'Service crashed and was restarted by pm2',
  'crash-loop': 'Service is crash-looping',
  'service-down': 'Service down',
  'restart-gave-up': 'Restarts gave up: a human is needed',
};
