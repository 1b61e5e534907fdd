/**
 * Crash → alert latency through pm2's bus: SIGKILL a pm2 app, time until the fake Bot API on
 * loopback receives the `service-crashed` alert (and, split out, until the tracker opened the
 * incident). The real daemon: pm2 client and events, tracker, outbox, dispatcher, Telegram channel;
 * sqlite store; pacing off. Between kills the app stays up until the incident resolves (stableMs 300).
 * Run: npx tsx bench/supervision-crash-latency.ts [KILLS]
 */
import path from 'node:path';
import { startFakeTelegram } from '../tests/fixtures/fake-telegram.ts';
import { percentile, table } from './lib/alert-stack.ts';
import { appsDir, createPm2Home, freePort, supervisedDaemon, until } from './lib/supervised.ts';

const kills = Number(process.argv[2] ?? 20);
const warmup = 2;
const pm2 = createPm2Home();
const fake = await startFakeTelegram({ chats: [42] });
try {
  await pm2.startDaemon();
  const port = await freePort();
  await pm2.startApps([
    { name: 'api', script: path.join(appsDir, 'http-app.mjs'), env: { PORT: String(port) }, min_uptime: 100 },
  ]);
  const warden = await supervisedDaemon({
    fake,
    // maxRestarts is also the crash-loop threshold; 20 kills in a row are not what this measures
    services: `  api:\n    pm2: api\n    check: { http: { url: "http://127.0.0.1:${port}/healthz" } }\n    interval: 30s\n    restart: { maxRestarts: 1000 }\n`,
    supervision: { stableMs: 300 },
  });
  const opened: number[] = [];
  const resolved: number[] = [];
  warden.daemon.incidents.subscribe((change) => {
    if (change.incident.key !== 'service-crashed:api') return;
    if (change.kind === 'opened') opened.push(Date.now());
    if (change.kind === 'resolved') resolved.push(Date.now());
  });
  await until(
    async () => (await warden.store.db.selectFrom('check_results').select('id').execute()).length > 0,
    10_000,
    'first check',
  );
  const toIncident: number[] = [];
  const toAlert: number[] = [];
  for (let i = 0; i < warmup + kills; i++) {
    const pid = await pm2.pidOf('api');
    const alerts = fake.messages.filter((m) => m.plainText.includes('Service crashed')).length;
    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');
    await until(
      () => fake.messages.filter((m) => m.plainText.includes('Service crashed')).length > alerts,
      5000,
      'the alert',
    );
    const alert = fake.messages.filter((m) => m.plainText.includes('Service crashed')).at(-1)!;
    if (i >= warmup) {
      toIncident.push(opened.at(-1)! - killedAt);
      toAlert.push(alert.at - killedAt);
    }
    // the next kill must open a new incident: wait for this one to resolve and its edit and reply to go out
    await until(() => resolved.length === i + 1, 5000, `the resolution of kill ${i + 1}`);
    await until(
      () => alert.edits.length > 0 && fake.messages.at(-1)!.replyTo === alert.messageId,
      5000,
      'the resolved edit',
    );
  }
  await warden.stop();
  const a = [...toAlert].sort((x, y) => x - y);
  const o = [...toIncident].sort((x, y) => x - y);
  console.log(`crash → alert latency (ms), ${kills} SIGKILLs, ${new Date().toISOString()}, node ${process.version}\n`);
  console.log(
    table(
      ['measure', 'p50', 'p99', 'max'],
      [
        ['kill → incident opened', percentile(o, 0.5), percentile(o, 0.99), o.at(-1)!],
        ['kill → alert at the Bot API', percentile(a, 0.5), percentile(a, 0.99), a.at(-1)!],
      ],
    ),
  );
} finally {
  await fake.close();
  await pm2.kill();
}
process.exit(0);
