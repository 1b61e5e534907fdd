#!/usr/bin/env -S node --max-semi-space-size=1
import { main } from './cli/index.ts';
import { processIo } from './cli/io.ts';

// Exit explicitly: client libraries (pm2 among them) can hold the event loop open after their work.
process.exit(await main(process.argv.slice(2), processIo));
