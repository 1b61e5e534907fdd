import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runbookUrl } from '../../src/alerts/runbook-url.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('runbook url', () => {
  const runbooks = {
    baseUrl: 'https://github.com/acme/warden/blob/main/docs/runbook/',
    links: { 'disk-usage': 'https://wiki.acme.dev/disk' },
  };

  it('prefers the per-topic override, else builds the page URL from the base', () => {
    expect(runbookUrl('disk-usage', runbooks, 'en')).toBe('https://wiki.acme.dev/disk');
    expect(runbookUrl('service-down', runbooks, 'en')).toBe(
      'https://github.com/acme/warden/blob/main/docs/runbook/service-down.md',
    );
    expect(runbookUrl('service-down', { baseUrl: null, links: {} }, 'en')).toBeNull();
  });

  it('links the Korean page only when it exists', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'ko'));
    fs.writeFileSync(path.join(dir, 'ko', 'db-down.md'), '# db-down');
    expect(runbookUrl('db-down', runbooks, 'ko', dir)).toBe(
      'https://github.com/acme/warden/blob/main/docs/runbook/ko/db-down.md',
    );
    expect(runbookUrl('backup-failed', runbooks, 'ko', dir)).toBe(
      'https://github.com/acme/warden/blob/main/docs/runbook/backup-failed.md',
    );
    expect(runbookUrl('db-down', runbooks, 'en', dir)).toBe(
      'https://github.com/acme/warden/blob/main/docs/runbook/db-down.md',
    );
  });
});
