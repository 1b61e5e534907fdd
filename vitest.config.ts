import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // pm2 daemons and PostgreSQL databases are per test file; two workers match the 2-core machine.
    maxWorkers: 2,
  },
});
