// Runs every benchmark in bench/ one after another (.mjs with node, .ts with tsx); each prints a table.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const benches = fs
  .readdirSync('bench')
  .filter((f) => /\.(mjs|ts)$/.test(f) && f !== 'run-all.mjs')
  .sort();
let failed = 0;
for (const file of benches) {
  console.log(`\n## ${file}\n`);
  const args = file.endsWith('.ts') ? ['--import', 'tsx', `bench/${file}`] : [`bench/${file}`];
  const { status } = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (status !== 0) {
    console.log(`${file} failed with exit code ${status}`);
    failed++;
  }
}
process.exit(failed > 0 ? 1 : 0);
