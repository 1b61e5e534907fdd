import { describe, expect, it } from 'vitest';
import { probeTcp, tcpOptions } from '../../src/checks/tcp.ts';
import { closedPort, silentTcpServer } from '../helpers/servers.ts';

const live = () => new AbortController().signal;

describe('tcp check', () => {
  it('passes when the port accepts a connection', async () => {
    const port = await silentTcpServer();
    const result = await probeTcp(tcpOptions.parse({ port }), live());
    expect(result).toMatchObject({
      ok: true,
      detail: expect.stringMatching(new RegExp(`^tcp 127\\.0\\.0\\.1:${port}: connected in \\d+ms$`)),
    });
  });

  it('fails with the cause when nothing listens', async () => {
    const port = await closedPort();
    const result = await probeTcp(tcpOptions.parse({ port }), live());
    expect(result).toMatchObject({
      ok: false,
      detail: `tcp 127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`,
    });
  });

  it('fails on a host that does not resolve', async () => {
    const result = await probeTcp(
      tcpOptions.parse({ host: 'no-such-host.invalid', port: 5432, timeout: '2s' }),
      live(),
    );
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/^tcp no-such-host\.invalid:5432: /);
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await probeTcp(tcpOptions.parse({ port: await silentTcpServer() }), controller.signal);
    expect(result).toMatchObject({ ok: false, detail: expect.stringContaining('cancelled') });
  });
});
