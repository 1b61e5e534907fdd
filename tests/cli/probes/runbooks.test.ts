import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/index.ts';
import { captureIo } from '../../helpers/io.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

async function checkLine(runbooks: string): Promise<string> {
  const dir = tempDir();
  const file = path.join(dir, 'warden.config.yaml');
  fs.writeFileSync(file, `store: { url: "sqlite:${dir}/warden.db" }\nhttp: { listen: "127.0.0.1:0" }\n${runbooks}`);
  const io = captureIo();
  await main(['check', '--config', file], io);
  return io.stdout.find((line) => line.includes('runbooks.baseUrl')) ?? '(no runbooks line)';
}

describe('warden check: runbooks.baseUrl', () => {
  it('warns with the fix when it is the shipped placeholder', async () => {
    const shipped = fs.readFileSync('warden.config.yaml', 'utf8').match(/^runbooks:\n(?: .*\n)+/m)![0];
    expect(shipped).toContain('your-org');
    expect(await checkLine(shipped)).toBe(
      '✓ runbooks.baseUrl: https://github.com/your-org/warden/blob/main/docs/runbook — warning: still the shipped placeholder (your-org), alert links lead nowhere; set runbooks.baseUrl to where your copy of docs/runbook is published (e.g. https://github.com/ORG/REPO/blob/main/docs/runbook)',
    );
  });

  it('warns when it is missing or points at a host a phone cannot reach', async () => {
    expect(await checkLine('')).toMatch(/^✓ runbooks\.baseUrl: not set — warning: alerts carry no runbook link; set /);
    expect(await checkLine('runbooks: { baseUrl: "http://localhost:8080/runbook" }\n')).toMatch(
      /— warning: not reachable from a phone; set runbooks\.baseUrl/,
    );
  });

  it('shows a real one without a warning', async () => {
    expect(await checkLine('runbooks: { baseUrl: "https://github.com/acme/warden/blob/main/docs/runbook" }\n')).toBe(
      '✓ runbooks.baseUrl: https://github.com/acme/warden/blob/main/docs/runbook',
    );
  });
});
