import { createRequire } from 'node:module';

// The same relative path works from src/cli/ (tests) and dist/cli/ (the built binary).
export const version = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
