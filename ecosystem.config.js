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
    // V8 without its optimising compilers: warden's hot paths are a few checks a second, and the
    // compilers' code and threads cost more than they save (RSS ~104 → ~73 MB at 50 services, CPU
    // no worse; docs/benchmarks.md).
    node_args: ['--lite-mode'],
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
