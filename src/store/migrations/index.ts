import type { Migration } from 'kysely';
import * as core from './001_core.ts';

/** Applied in name order at every start; append new files, never edit a landed one. */
export const migrations: Record<string, Migration> = {
  '001_core': core,
};
