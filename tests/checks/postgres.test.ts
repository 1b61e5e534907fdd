import { describe, expect, it } from 'vitest';
import { postgresOptions, probePostgres } from '../../src/checks/postgres.ts';
import { adminUrl } from '../helpers/postgres.ts';
import { closedPort, silentTcpServer } from '../helpers/servers.ts';

const live = () => new AbortController().signal;
const options = (input: Record<string, unknown>) => postgresOptions.parse(input);
const withPort = (port: number, password = 'pw-secret-123') => {
  const url = new URL(adminUrl);
  url.port = String(port);
  url.password = password;
  return url.toString();
};

describe('postgres check', () => {
  it('runs SELECT 1 on a real server', async () => {
    const result = await probePostgres(options({ url: adminUrl }), live());
    expect(result).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/^postgres 127\.0\.0\.1:5432\/postgres: SELECT 1 in \d+ms$/),
    });
  });

  it('fails on a closed port, naming the cause and never the password', async () => {
    const port = await closedPort();
    const result = await probePostgres(options({ url: withPort(port) }), live());
    expect(result.ok).toBe(false);
    expect(result.detail).toContain(`postgres 127.0.0.1:${port}/postgres: connect ECONNREFUSED`);
    expect(result.detail).not.toContain('pw-secret-123');
  });

  it('ends by its timeout when the server accepts and never answers', async () => {
    const port = await silentTcpServer();
    // the detail names the check's own timer: it ended by its timeout, not by the server
    const result = await probePostgres(options({ url: withPort(port), timeout: '300ms' }), live());
    expect(result).toMatchObject({ ok: false, detail: `postgres 127.0.0.1:${port}/postgres: timed out after 300ms` });
  });

  it('fails when slower than maxLatency', async () => {
    const result = await probePostgres(options({ url: adminUrl, maxLatency: '0ms' }), live());
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/SELECT 1 took \d+ms \(maxLatency 0ms\)/);
  });

  it('reports a missing database', async () => {
    const url = new URL(adminUrl);
    url.pathname = '/warden_no_such_db';
    const result = await probePostgres(options({ url: url.toString() }), live());
    expect(result).toMatchObject({
      ok: false,
      detail: expect.stringContaining('database "warden_no_such_db" does not exist'),
    });
  });
});
