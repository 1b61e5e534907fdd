import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.ts';
import { startWarden } from '../helpers/warden-process.ts';
import { realisticToken } from '../helpers/fake-token.ts';

const token = realisticToken;

function setup(): { dir: string; config: string } {
  const dir = tempDir();
  const config = path.join(dir, 'warden.config.yaml');
  fs.writeFileSync(
    config,
    [
      'http: { listen: "127.0.0.1:0" }',
      'store: { url: "sqlite:./data/warden.db" }',
      'log: { file: logs/warden.log }',
      'telegram: { token: "${TELEGRAM_BOT_TOKEN:-}", apiRoot: "http://127.0.0.1:1", chats: [{ id: -100123 }] }',
      'disk: { paths: [.] }',
    ].join('\n'),
  );
  return { dir, config };
}

describe('warden run', () => {
  it('reports ready, serves /healthz, and stops cleanly on SIGTERM with exit 0 within 10 s', async () => {
    const { dir, config } = setup();
    const warden = startWarden(['run', '--config', config], { TELEGRAM_BOT_TOKEN: token });
    expect(await warden.ready).toBe('ready');
    const port = await warden.httpPort();
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/^warden_loop_last_tick_timestamp_seconds \d+/m);
    expect(metrics).toMatch(/^process_resident_memory_bytes \d+/m);

    const stopAt = Date.now();
    warden.child.kill('SIGTERM');
    expect(await warden.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - stopAt).toBeLessThan(10_000);

    const logs = fs.readdirSync(path.join(dir, 'logs'));
    expect(logs).toContain('current.log');
    const fileText = fs.readFileSync(path.join(dir, 'logs', 'current.log'), 'utf8');
    expect(fileText).toMatch(/"msg":"stopped"/);
    for (const text of [warden.output(), ...logs.map((f) => fs.readFileSync(path.join(dir, 'logs', f), 'utf8'))]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(token.split(':')[1]);
    }
  });

  it("notes an unclean previous stop on the next start, taking over the killed daemon's store lock", async () => {
    const { config } = setup();
    const first = startWarden(['run', '--config', config], {});
    await first.ready;
    first.child.kill('SIGKILL');
    await first.exited;
    const second = startWarden(['run', '--config', config], {});
    await second.ready;
    expect(second.output()).toMatch(/previous run did not stop cleanly/);
    second.child.kill('SIGINT');
    expect((await second.exited).code).toBe(0);
  });

  it('exits 78 with one line per problem on a broken config, no stack trace', async () => {
    const { dir } = setup();
    const config = path.join(dir, 'broken.yaml');
    fs.writeFileSync(config, 'services:\n  api:\n    check: { htp: {} }\n    intervall: 5s\n');
    const warden = startWarden(['run', '--config', config], {});
    expect((await warden.exited).code).toBe(78);
    expect(warden.output().trim().split('\n')).toEqual([
      `${config}: services.api.check.htp: unknown key (check the spelling)`,
      `${config}: services.api.check: must name exactly one check kind: http, tcp, command, postgres, pm2`,
      `${config}: services.api.intervall: unknown key (check the spelling)`,
    ]);
  });

  it('exits 1 with one line when the http port is taken', async () => {
    const { config } = setup();
    const first = startWarden(['run', '--config', config], {});
    const port = await first.httpPort();
    const { dir } = setup();
    const second = path.join(dir, 'second.yaml');
    fs.writeFileSync(
      second,
      `http: { listen: "127.0.0.1:${port}" }\nstore: { url: "sqlite:./w.db" }\nlog: { file: logs/w.log }\ndisk: { paths: [.] }\n`,
    );
    const clash = startWarden(['run', '--config', second], {});
    expect((await clash.exited).code).toBe(1);
    expect(clash.output()).toContain(`warden run: http.listen 127.0.0.1:${port}: address in use`);
    // an expected failure is one line: no stack on stdout or stderr (it goes to the debug log)
    expect(clash.output()).not.toMatch(/"stack"|\n\s+at /);
    first.child.kill('SIGTERM');
    await first.exited;
  });
});
