import { describe, expect, it } from 'vitest';
import { until } from '../helpers/until.ts';
import { healthz, onPm2, usePm2AndTelegram } from '../supervision/helpers/warden-on-pm2.ts';

// /metrics as Prometheus scrapes it from the real daemon, fed by what really happened: a hung app
// restarted through pm2, its checks, alerts delivered to the fake Bot API and alerts it refused.
const { chat, fake, startWarden, startHttpApp } = usePm2AndTelegram();

/** The `# TYPE` of every metric family in a scrape. */
const typesOf = (text: string): Map<string, string> =>
  new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));

/** What `promtool check metrics` would say about the families' names, types and help. */
function lint(text: string): string[] {
  const problems: string[] = [];
  const helped = new Set([...text.matchAll(/^# HELP (\S+) \S/gm)].map((m) => m[1]!));
  for (const [name, type] of typesOf(text)) {
    if (!helped.has(name)) problems.push(`${name}: no help text`);
    if (type === 'counter' && !name.endsWith('_total')) problems.push(`${name}: counter without _total`);
    if (type !== 'counter' && name.endsWith('_total')) problems.push(`${name}: ${type} with _total`);
    if (type !== 'histogram' && /_bucket$/.test(name)) problems.push(`${name}: _bucket on a ${type}`);
    if (!['histogram', 'summary'].includes(type) && /_(count|sum)$/.test(name))
      problems.push(`${name}: _count/_sum on a ${type}`);
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) problems.push(`${name}: not snake_case`);
    if (/_(ms|us|ns|sec|kb|mb|gb)(_|$)/.test(name)) problems.push(`${name}: abbreviated unit`);
  }
  return problems;
}

describe('/metrics of the running daemon', () => {
  it('counts restarts, check durations and alerts sent and failed, with names promtool accepts', async () => {
    const port = await startHttpApp('web');
    const { daemon } = await startWarden(
      onPm2('web', healthz(port, '300ms'), 'interval: 1s, failureThreshold: 2, restart: { backoff: 1s..5s }'),
    );
    const scrape = async (): Promise<string> =>
      (await fetch(`http://127.0.0.1:${daemon.httpAddress().port}/metrics`)).text();
    expect(await scrape()).toMatch(/^warden_restarts_total\{service="web",outcome="ok"\} 0$/m);
    await until(async () => /^warden_service_check_ok\{service="web"\} 1$/m.test(await scrape()), 15_000, 'healthy');

    await fetch(`http://127.0.0.1:${port}/hang`);
    await fake().waitFor(
      () =>
        fake()
          .messagesTo(chat)
          .some((m) => m.plainText.startsWith('🔴 Service down · web')),
      15_000,
      'the down alert',
    );
    // what follows (the restart's edit, the resolution) meets a chat that blocked the bot
    fake().blockChat(chat);
    await until(
      async () => /^warden_restarts_total\{service="web",outcome="ok"\} 1$/m.test(await scrape()),
      15_000,
      'the restart counted',
    );
    await until(
      async () => /^warden_alerts_failed_total\{channel="telegram"\} [1-9]/m.test(await scrape()),
      20_000,
      'a refused alert counted',
    );

    const text = await scrape();
    expect(text).toMatch(/^warden_alerts_sent_total\{channel="telegram"\} [1-9]\d*$/m);
    expect(text).toMatch(/^warden_check_duration_seconds_count\{service="web",kind="http"\} [1-9]\d*$/m);
    expect(text).toMatch(/^warden_check_duration_seconds_bucket\{le="0.5",service="web",kind="http"\} \d+$/m);
    expect(text).toMatch(/^warden_alerts_resent_total 0$/m);
    const types = typesOf(text);
    expect(Object.fromEntries([...types].filter(([name]) => name.startsWith('warden_')))).toMatchObject({
      warden_restarts_total: 'counter',
      warden_check_duration_seconds: 'histogram',
      warden_alerts_sent_total: 'counter',
      warden_alerts_failed_total: 'counter',
      warden_alerts_resent_total: 'counter',
    });
    // the default process metrics are there, but not the gauges named like counters
    expect(types.get('process_cpu_seconds_total')).toBe('counter');
    expect(types.get('nodejs_active_handles')).toBe('gauge');
    for (const offender of [
      'nodejs_active_handles_total',
      'nodejs_active_requests_total',
      'nodejs_active_resources_total',
    ])
      expect(types.has(offender)).toBe(false);
    expect(lint(text)).toEqual([]);
  });
});
