// `node bench/lib/backup-warm.mjs backup run TARGET --config FILE`: runs the command twice in one
// process and prints the second run's wall time, the cost of a backup in a warden that is already
// running (the daemon's scheduled path) without the CLI's start-up (module loading, opening the store).
import { main } from '../../dist/cli/index.js';
import { processIo } from '../../dist/cli/io.js';

const argv = process.argv.slice(2);
if ((await main(argv, processIo)) !== 0) process.exit(1);
const started = performance.now();
const code = await main(argv, processIo);
process.stderr.write(`WARM_MS ${(performance.now() - started).toFixed(0)}\n`);
process.exitCode = code;
