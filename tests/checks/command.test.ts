import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandOptions, probeCommand } from '../../src/checks/command.ts';
import { isWellFormed } from '../../src/lib/text.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { until } from '../helpers/until.ts';

const live = () => new AbortController().signal;
const options = (run: string, timeout = '5s') => commandOptions.parse({ run, timeout });

/** Running, as opposed to gone or a zombie nobody reaped yet (this container's init may not reap). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('command check', () => {
  it('passes on exit 0', async () => {
    const result = await probeCommand(options('true'), live());
    expect(result).toMatchObject({ ok: true, detail: expect.stringMatching(/^command "true": exit 0 in \d+ms$/) });
  });

  it('fails on another exit code and keeps the output as the excerpt', async () => {
    const result = await probeCommand(options('echo checking; echo "redis: connection refused" >&2; exit 3'), live());
    expect(result.ok).toBe(false);
    expect(result.detail).toBe(
      'command "echo checking; echo "redis: connection refused" >&2; exit 3": exit 3 — redis: connection refused',
    );
    expect(result.excerpt).toBe('checking\nredis: connection refused');
  });

  it('ends by its timeout and kills what the command started', async () => {
    const dir = tempDir();
    const pidFile = path.join(dir, 'pid');
    // the detail names the check's own timer: it ended by its timeout, not when sleep 30 did
    const result = await probeCommand(options(`sleep 30 & echo $! > ${pidFile}; wait`, '300ms'), live());
    expect(result).toMatchObject({ ok: false, detail: expect.stringMatching(/timed out after 300ms$/) });
    const sleeper = Number(fs.readFileSync(pidFile, 'utf8'));
    await until(() => !alive(sleeper), 10_000, 'the background sleep to be killed');
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const result = await probeCommand(options('sleep 30'), controller.signal);
    expect(result).toMatchObject({ ok: false, detail: expect.stringContaining('cancelled') });
  });

  it('keeps only the end of a long output', async () => {
    const result = await probeCommand(options('seq 1 100000; exit 1'), live());
    expect(result.excerpt!.length).toBeLessThanOrEqual(4096);
    expect(result.excerpt!.endsWith('100000')).toBe(true);
  });
});

describe('command check output', () => {
  it('keeps 10,000 emoji intact within 4096 units, without U+FFFD', async () => {
    const result = await probeCommand(
      options(`node -e 'process.stdout.write("😀".repeat(10000))'; exit 1`, '10s'),
      live(),
    );
    expect(result.excerpt!.length).toBeLessThanOrEqual(4096);
    expect(result.excerpt!.length).toBeGreaterThan(4000);
    expect(result.excerpt).toMatch(/^(😀)+$/u);
    expect(result.detail).not.toContain('\uFFFD');
    expect(isWellFormed(result.detail)).toBe(true);
  });

  it('strips terminal control sequences from the output', async () => {
    const result = await probeCommand(options(`printf '\\033]0;title\\007\\033[31mfailed\\033[0m\\n'; exit 2`), live());
    expect(result.excerpt).toBe('failed');
    expect(result.detail).toMatch(/exit 2 — failed$/);
  });

  it('passes ${VAR} to the shell: a value is data, never shell syntax', async () => {
    const dir = tempDir();
    process.env.WARDEN_TEST_INJECT = `x; touch ${dir}/PWNED`;
    try {
      const result = await probeCommand(options('echo "${WARDEN_TEST_INJECT}"; exit 1'), live());
      expect(result.excerpt).toBe(`x; touch ${dir}/PWNED`);
      expect(result.detail).toContain('command "echo "${WARDEN_TEST_INJECT}"; exit 1"');
      expect(fs.existsSync(path.join(dir, 'PWNED'))).toBe(false);
    } finally {
      delete process.env.WARDEN_TEST_INJECT;
    }
  });
});
