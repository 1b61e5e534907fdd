import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.ts';
import { createScrubber } from '../../src/lib/redact.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { realisticToken } from '../helpers/fake-token.ts';

const token = realisticToken;
const password = 'pg-Secret-42';

describe('redaction', () => {
  it('scrubs known secrets and secret-shaped strings', () => {
    const scrub = createScrubber([password]);
    expect(scrub(`POST https://api.telegram.org/bot${token}/sendMessage`)).toBe(
      'POST https://api.telegram.org/bot[REDACTED]/sendMessage',
    );
    expect(scrub(`token ${token} leaked`)).toBe('token [REDACTED] leaked');
    expect(scrub('postgres://app:other-pw@db:5432/app')).toBe('postgres://app:[REDACTED]@db:5432/app');
    expect(scrub(`password is ${password}`)).toBe('password is [REDACTED]');
    expect(scrub('Authorization: Bearer abc.def')).toBe('Authorization: [REDACTED]');
  });

  it('never writes a planted token or password to stdout or any log file, whatever the path', async () => {
    const dir = tempDir();
    const stdout = new PassThrough();
    const printed: Buffer[] = [];
    stdout.on('data', (chunk: Buffer) => printed.push(chunk));
    for (const mode of ['json', 'pretty'] as const) {
      const { log, close } = await createLogger({
        level: 'debug',
        stdout: mode,
        file: path.join(dir, 'logs', 'warden.log'),
        maxFileBytes: 1024 * 1024,
        keepFiles: 3,
        secrets: [token, password],
        stdoutStream: stdout,
      });
      const err = new Error(`request to https://api.telegram.org/bot${token}/getMe failed`);
      log.error({ err }, 'telegram failed');
      log.error(
        { err: new Error('connect failed', { cause: new Error(`password ${password} rejected`) }) },
        'store failed',
      );
      log.info({ token, password, headers: { authorization: `Bearer ${token}` } }, 'keys');
      log.info({ url: `postgres://warden:${password}@127.0.0.1:5432/warden` }, 'url field');
      log.warn(`message text with ${token} and ${encodeURIComponent(password)}`);
      log.info({ nested: { deeper: { list: [token] } } }, 'deep value');
      await close();
    }
    const files = fs.readdirSync(path.join(dir, 'logs')).map((f) => fs.readFileSync(path.join(dir, 'logs', f), 'utf8'));
    const everything = [Buffer.concat(printed).toString(), ...files].join('\n');
    expect(everything).toContain('telegram failed');
    expect(everything).toContain('[REDACTED]');
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(token.split(':')[1]);
    expect(everything).not.toContain(password);
  });

  it('names its files as pino-roll does and links current.log', async () => {
    const dir = tempDir();
    const { log, close } = await createLogger({
      level: 'info',
      stdout: 'json',
      file: path.join(dir, 'fresh', 'warden.log'),
      maxFileBytes: 1024,
      keepFiles: 2,
      secrets: [],
      stdoutStream: new PassThrough(),
    });
    for (let i = 0; i < 60; i++) {
      log.info({ i, padding: 'x'.repeat(100) }, 'line');
      await new Promise((r) => setTimeout(r, 2));
    }
    await close();
    const names = fs.readdirSync(path.join(dir, 'fresh')).sort();
    expect(names).toContain('current.log');
    expect(names).not.toContain('warden.log');
    expect(names.filter((n) => /^warden\.\d+\.log$/.test(n)).length).toBeGreaterThan(1);
    expect(names.filter((n) => /^warden\.\d+\.log$/.test(n)).length).toBeLessThanOrEqual(3);
  });
});
