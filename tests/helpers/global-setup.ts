import pg from 'pg';
import { adminUrl } from './postgres.ts';

/** Fails the run at once, with the fix, when the PostgreSQL the tests need is not there. */
export default async function setup(): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    throw new Error(
      `tests need PostgreSQL at ${new URL(adminUrl).host} (${(err as Error).message}); start it or set TEST_DATABASE_URL`,
      {
        cause: err,
      },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
