/**
 * Hang → restart latency: a pm2 app's /healthz stops answering (the process stays alive); time
 * until warden restarts it through pm2, until the check passes again (incident resolved), and until
 * the alert at the fake Bot API is edited to resolved. Check: http, timeout 500ms, interval 1s,
 * failureThreshold 2, so detection alone takes 2 failing checks (about 1.5–2.5 s).
 * Run: npx tsx bench/supervision-hang-restart.ts [HANGS]
 */
import path from 'node:path';
import { startFakeTelegram } from '../tests/fixtures/fake-telegram.ts';
import { percentile, table } from './lib/alert-stack.ts';
import { appsDir, createPm2Home, freePort, supervisedDaemon, until } from './lib/supervised.ts';

const hangs = Number(process.argv[2] ?? 10);
const pm2 = createPm2Home();
const fake = await startFakeTelegram({ chats: [42] });
try {
  await pm2.startDaemon();
  const port = await freePort();
  await pm2.startApps([{ name: 'web', script: path.join(appsDir, 'http-app.mjs'), env: { PORT: String(port) } }]);
  const warden = await supervisedDaemon({
    fake,
    services: `  web:
    pm2: web
    check: { http: { url: "http://127.0.0.1:${port}/healthz", timeout: 500ms } }
    interval: 1s
    failureThreshold: 2
    restart: { backoff: 1s..5s, maxRestarts: 1000 }
`,
    supervision: { jitterRatio: 0 },
  });
  const restartedAt: number[] = [];
  const resolvedAt: number[] = [];
  warden.daemon.incidents.subscribe((change) => {
    if (change.incident.key !== 'service-down:web') return;
    if (change.kind === 'action') restartedAt.push(Date.now());
    if (change.kind === 'resolved') resolvedAt.push(Date.now());
  });
  await until(
    async () =>
      (await warden.store.db.selectFrom('check_results').select('id').where('ok', '=', 1).execute()).length > 0,
    10_000,
    'healthy',
  );
  const toRestart: number[] = [];
  const toHealthy: number[] = [];
  const toEdit: number[] = [];
  for (let i = 0; i < hangs; i++) {
    const hungAt = Date.now();
    await fetch(`http://127.0.0.1:${port}/hang`);
    await until(() => resolvedAt.length === i + 1, 20_000, `recovery ${i + 1}`);
    const alert = fake.messages.filter((m) => m.plainText.includes('Service down · web')).at(-1)!;
    await until(() => alert.edits.some((e) => e.plainText.startsWith('✅')), 5000, 'the resolved edit');
    toRestart.push(restartedAt[i]! - hungAt);
    toHealthy.push(resolvedAt[i]! - hungAt);
    toEdit.push(alert.edits.find((e) => e.plainText.startsWith('✅'))!.at - hungAt);
    // let the loop settle into its rhythm again before the next hang
    await new Promise((r) => setTimeout(r, 1500 + Math.random() * 1000));
  }
  await warden.stop();
  const row = (label: string, values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return [label, sorted[0]!, percentile(sorted, 0.5), sorted.at(-1)!];
  };
  console.log(`hang → restart latency (ms), ${hangs} hangs, ${new Date().toISOString()}, node ${process.version}`);
  console.log('check: http timeout 500ms, interval 1s, failureThreshold 2; restart through the pm2 API\n');
  console.log(
    table(
      ['measure', 'min', 'p50', 'max'],
      [
        row('hang → pm2 restart', toRestart),
        row('hang → check passes (incident resolved)', toHealthy),
        row('hang → alert edited to resolved', toEdit),
      ],
    ),
  );
} finally {
  await fake.close();
  await pm2.kill();
}
process.exit(0);
