import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.ts';
import { captureIo } from '../helpers/io.ts';
import { tempDir } from '../helpers/temp-dir.ts';

function setup(): string {
  const dir = tempDir();
  const file = path.join(dir, 'warden.config.yaml');
  fs.writeFileSync(
    file,
    `store: { url: "sqlite:${path.join(dir, 'warden.db')}" }\nservices:\n  api: { check: { tcp: { port: 3000 } } }\n  bot: { check: { tcp: { port: 3001 } } }\n`,
  );
  return file;
}

describe('warden silence', () => {
  it('silences a service for a while and warden status shows it', async () => {
    const config = setup();
    const io = captureIo();
    expect(await main(['silence', 'api', '30m', '--reason', 'deploy', '--config', config], io)).toBe(0);
    expect(io.stdout[0]).toMatch(/^silenced api for 30m, until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \(deploy\)$/);

    const status = captureIo();
    expect(await main(['status', '--config', config], status)).toBe(0);
    expect(status.stdout.join('\n')).toMatch(/Silences:\n {2}api +until \S+ — deploy/);
    const json = captureIo();
    await main(['status', '--json', '--config', config], json);
    expect(JSON.parse(json.stdout.join('\n')).silences).toEqual([
      { target: 'api', until: expect.any(String), reason: 'deploy' },
    ]);
  });

  it('lifts a silence with off', async () => {
    const config = setup();
    await main(['silence', 'bot', '1h', '--config', config], captureIo());
    const io = captureIo();
    expect(await main(['silence', 'bot', 'off', '--config', config], io)).toBe(0);
    expect(io.stdout).toEqual(['silence on bot lifted']);
    const status = captureIo();
    await main(['status', '--config', config], status);
    expect(status.stdout.join('\n')).toMatch(/Silences:\n {2}none/);
  });

  it('accepts a topic, an incident key and all', async () => {
    const config = setup();
    for (const target of ['disk-usage', 'disk-usage:/', 'all'])
      expect(await main(['silence', target, '2h', '--config', config], captureIo())).toBe(0);
  });

  it('refuses an unknown target or a bad duration in one line, as a usage error (exit 64)', async () => {
    const config = setup();
    const unknown = captureIo();
    expect(await main(['silence', 'apii', '30m', '--config', config], unknown)).toBe(64);
    expect(unknown.stderr).toEqual([
      'warden silence: "apii" is not a service, backup target, topic or incident key; known services: api, bot',
    ]);
    const bad = captureIo();
    expect(await main(['silence', 'api', 'soon', '--config', config], bad)).toBe(64);
    expect(bad.stderr).toEqual(['warden silence: "soon" is not a duration; write it like 30m, 2h or 1d (or off)']);
    const missing = captureIo();
    expect(await main(['silence', 'api', '--config', config], missing)).toBe(64);
    expect(missing.stderr[0]).toContain('usage: warden silence TARGET DURATION [--reason TEXT]');
  });
});
