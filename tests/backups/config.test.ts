import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';

const load = (yaml: string) => parseConfig(yaml, 'w.yaml', { env: {}, baseDir: '/srv/warden' }).config;

describe('backups config', () => {
  it('fills the SPEC defaults for a target', () => {
    const { backups } = load('backups: { targets: { main: { postgres: "postgres://app@db/app" } } }');
    expect(backups.dir).toBe('/srv/warden/backups');
    expect(backups.targets.main).toMatchObject({
      kind: 'postgres',
      schedule: '0 0 3 * * *',
      verify: 'list',
      verifySchedule: '0 30 4 * * 0',
      maxAgeMs: 26 * 3_600_000,
      maxRestoreAgeMs: 8 * 86_400_000,
      keep: { last: 7, daily: 7, weekly: 4, monthly: 6 },
      minFreeBytes: null,
      queries: [],
    });
  });

  it('accepts the warden kind, schedule words and cron patterns for verifySchedule', () => {
    const { backups } = load(
      'backups: { targets: { self: { warden: true, verifySchedule: daily }, docs: { files: [./docs], verifySchedule: "0 0 5 * * 1" } } }',
    );
    expect(backups.targets.self).toMatchObject({ kind: 'warden', verifySchedule: '0 30 4 * * *' });
    expect(backups.targets.docs).toMatchObject({
      kind: 'files',
      files: ['/srv/warden/docs'],
      verifySchedule: '0 0 5 * * 1',
    });
  });

  it('names the key when verifySchedule or maxRestoreAge is wrong', () => {
    expect(() =>
      load('backups: { targets: { m: { warden: true, verifySchedule: fortnightly, maxRestoreAge: soon } } }'),
    ).toThrow(
      /backups\.targets\.m\.verifySchedule: must be a cron pattern[^\n]*\n.*backups\.targets\.m\.maxRestoreAge: must be a duration like 8d/,
    );
  });
});
