import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/helpers/global-setup.ts'],
    // generous: tests that start warden or pm2 processes wait on signals, and on a loaded 2-core
    // machine a tsx start alone can take tens of seconds; a hang still fails, only later
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // pm2 daemons and PostgreSQL databases are per test file; two workers match the 2-core machine.
    maxWorkers: 2,
  },
});
