// pm2 apps: `pm2 start ecosystem.config.js`, or `pm2-runtime ecosystem.config.js` in the container.
// This package is `"type": "module"`, so this file is ESM. pm2 7 loads it with require(), which on
// Node >= 20.19 returns the module namespace: pm2 reads `apps` from it, hence the named export.
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

export const apps = [
  {
    name: 'warden',
    script: 'dist/main.js',
    args: 'run',
    cwd: root,
    // Measured side by side with Monit at 50 services (docs/benchmarks.md): without V8's optimising
    // compiler (warden's hot paths run a few times a second) and with a 1 MB young generation, RSS
    // drops from ~100 to ~75 MB and CPU does not rise. Not --lite-mode/--jitless: they remove
    // WebAssembly, and Node's fetch (which the Telegram library uses) then crashes the process.
    node_args: ['--no-opt', '--max-semi-space-size=1', '--optimize-for-size'],
    // warden calls process.send('ready') once it has started; pm2 counts it online only then.
    wait_ready: true,
    listen_timeout: 10000,
    // warden finishes its stop within 9 s; pm2 sends SIGKILL after this.
    kill_timeout: 10000,
    env: {
      WARDEN_CONFIG: process.env.WARDEN_CONFIG ?? './warden.config.yaml',
    },
  },
  {
    // Sample service — replace with your services (and their entries in warden.config.yaml).
    name: 'sample-api',
    script: 'examples/sample-api/server.mjs',
    cwd: root,
    kill_timeout: 5000,
    env: {
      PORT: '3000',
    },
  },
];

export default { apps };
