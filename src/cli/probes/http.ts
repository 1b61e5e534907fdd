import net from 'node:net';
import type { Config } from '../../config/schema.ts';
import { exposureWarning } from '../../http/exposure.ts';
import type { ProbeResult } from './types.ts';

/** http.listen can be bound (not taken by another warden), and whether it reaches beyond this host. */
export async function probeHttpListen(config: Config): Promise<ProbeResult> {
  const { host, port } = config.http.listen;
  const where = `${host}:${port}`;
  const name = `http.listen ${where}`;
  const failure = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(null)));
  });
  if (failure?.code === 'EADDRINUSE' && (await answersAsWarden(host, port)))
    return { name, ok: true, detail: 'in use by a running warden (/healthz answers)' };
  if (failure?.code === 'EADDRINUSE')
    return {
      name,
      ok: false,
      detail: 'address in use (a running warden, or another program)',
      fix: 'stop the other program, or change http.listen',
    };
  if (failure)
    return {
      name,
      ok: false,
      detail: failure.code ?? failure.message,
      fix: 'use an address of this host in http.listen',
    };
  const warning = exposureWarning(host, port, Boolean(config.http.token));
  return { name, ok: true, detail: warning ? `free — warning: ${warning}` : 'free' };
}

async function answersAsWarden(host: string, port: number): Promise<boolean> {
  const target = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  try {
    const res = await fetch(`http://${target === '[::]' ? '[::1]' : target}:${port}/healthz`, {
      signal: AbortSignal.timeout(2000),
    });
    await res.body?.cancel();
    return res.status === 200 || res.status === 503;
  } catch {
    return false;
  }
}
