import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.ts';
import { captureIo } from '../helpers/io.ts';
import { tempDir } from '../helpers/temp-dir.ts';

function project(): { dir: string; config: string; logs: string } {
  const dir = tempDir();
  const logs = path.join(dir, 'logs');
  fs.mkdirSync(logs);
  const config = path.join(dir, 'warden.config.yaml');
  fs.writeFileSync(
    config,
    [
      'store: { url: "sqlite:./data/warden.db" }',
      'services:',
      '  api: { check: { tcp: { port: 1 } } }',
      'logs:',
      "  watch: ['./logs/*.log']",
      '  retain: { count: 1 }',
      '  rotate: { mode: copytruncate }',
      '',
    ].join('\n'),
  );
  return { dir, config, logs };
}

describe('warden logs', () => {
  it('prune --dry-run lists what retention lets go and deletes nothing; prune deletes it', async () => {
    const { config, logs } = project();
    for (let n = 1; n <= 3; n++) {
      fs.writeFileSync(path.join(logs, `app.log.${n}`), 'x'.repeat(1024));
      const at = new Date(Date.now() - n * 60_000);
      fs.utimesSync(path.join(logs, `app.log.${n}`), at, at);
    }
    const dry = captureIo();
    expect(await main(['logs', 'prune', '--dry-run', '--config', config], dry)).toBe(0);
    const real = fs.realpathSync(logs);
    expect(dry.stdout).toEqual([
      `would delete ${real}/app.log.3 (1.0KB, count)`,
      `would delete ${real}/app.log.2 (1.0KB, count)`,
      'would free 2.0KB in 2 rotated logs',
    ]);
    expect(fs.readdirSync(logs)).toHaveLength(3);

    const io = captureIo();
    expect(await main(['logs', 'prune', '--config', config], io)).toBe(0);
    expect(io.stdout.at(-1)).toBe('freed 2.0KB in 2 rotated logs');
    expect(fs.readdirSync(logs)).toEqual(['app.log.1']);
  });

  it('rotate compresses every non-empty live log', async () => {
    const { config, logs } = project();
    fs.writeFileSync(path.join(logs, 'app.log'), 'hello\n'.repeat(1000));
    fs.writeFileSync(path.join(logs, 'empty.log'), '');
    const io = captureIo();
    expect(await main(['logs', 'rotate', '--config', config], io)).toBe(0);
    expect(io.stdout).toHaveLength(1);
    expect(io.stdout[0]).toMatch(/^✓ .*app\.log → app\.log\.\d{8}-\d{6}\.gz \(5\.9KB, copytruncate\)$/);
    expect(fs.statSync(path.join(logs, 'app.log')).size).toBe(0);
  });

  it('answers usage mistakes with exit 64 and one line', async () => {
    const { config } = project();
    const none = captureIo();
    expect(await main(['logs', '--config', config], none)).toBe(64);
    const unknown = captureIo();
    expect(await main(['logs', 'web', '--config', config], unknown)).toBe(64);
    expect(unknown.stderr).toEqual([
      'warden logs: "web" is not rotate, prune or a configured service (known: api); usage: warden logs rotate|prune [--dry-run] | logs SERVICE [--lines N]',
    ]);
    const notPm2 = captureIo();
    expect(await main(['logs', 'api', '--config', config], notPm2)).toBe(1);
    expect(notPm2.stderr).toEqual([
      'warden logs: api is not managed by pm2, so warden does not know its log files; set services.api.pm2',
    ]);
  });
});
