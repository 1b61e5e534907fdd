import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { openStore, type Store } from '../../src/store/db.ts';
import { createTestDatabase } from './postgres.ts';
import { tempDir } from './temp-dir.ts';

export type Dialect = 'sqlite' | 'postgres';
/** Both store dialects, for `describe.each(dialects)`: every store test runs on each. */
export const dialects = ['sqlite', 'postgres'] as const satisfies readonly Dialect[];

export interface TestStore {
  store: Store;
  url: string;
  /** Closes the store and drops its database (a SQLite file goes with its temp folder). */
  close(): Promise<void>;
}

/** A fresh, migrated store: a SQLite file in a temp folder, or a throwaway PostgreSQL database. */
export async function openTestStore(dialect: Dialect): Promise<TestStore> {
  const database = dialect === 'postgres' ? await createTestDatabase() : null;
  const url = database ? database.url : `sqlite:${path.join(tempDir(), 'warden.db')}`;
  const store = await openStore(url).catch(async (err: unknown) => {
    await database?.drop();
    throw err;
  });
  return {
    store,
    url,
    close: async () => {
      await store.close();
      await database?.drop();
    },
  };
}

/**
 * A fresh store for each test of the enclosing describe, closed (and dropped) after it. The store
 * is handed to `onOpen` before the describe's own beforeEach hooks run, and is on `.store`.
 * @example let store: Store; withStore(dialect, (opened) => (store = opened));
 */
export function withStore(dialect: Dialect, onOpen?: (store: Store) => void): { readonly store: Store } {
  let current: TestStore | undefined;
  beforeEach(async () => {
    current = await openTestStore(dialect);
    onOpen?.(current.store);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return {
    get store() {
      if (!current) throw new Error('the store is open only inside a test');
      return current.store;
    },
  };
}
