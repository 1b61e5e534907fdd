import { describe, expect, it } from 'vitest';
import { interpolate, isSecretName } from '../../src/config/interpolate.ts';

describe('${VAR} interpolation', () => {
  it('keeps an empty value, uses the default when unset or empty, and reports an unset ${VAR}', () => {
    const { value, problems } = interpolate(
      { a: '${EMPTY}', b: '${UNSET:-fallback}', c: '${EMPTY:-fallback}', d: '${UNSET:-}', e: 'x${GONE}y' },
      { EMPTY: '' },
    );
    expect(value).toEqual({ a: '', b: 'fallback', c: 'fallback', d: '', e: 'xy' });
    expect(problems).toEqual([
      { path: 'e', message: 'environment variable GONE is not set; set it, or write ${GONE:-} to allow it empty' },
    ]);
  });

  it('leaves shell strings to the shell, and learns from them which variables hold secrets', () => {
    const run = 'PGPASSWORD=${PGPW} psql -h db -c "select 1" && echo ${INJECT}';
    const command = 'curl -H "Authorization: $API_TOKEN" http://x';
    const { value, problems, substitutions } = interpolate(
      { services: { db: { check: { command: { run } }, restart: { command } } } },
      { PGPW: 'pg-secret-1', INJECT: 'x; touch PWNED', API_TOKEN: 'tok-secret-2' },
    );
    expect(value).toEqual({ services: { db: { check: { command: { run } }, restart: { command } } } });
    expect(problems).toEqual([]);
    expect(substitutions.secrets).toEqual(expect.arrayContaining(['pg-secret-1', 'tok-secret-2']));
    expect(substitutions.secrets).not.toContain('x; touch PWNED');
  });

  it('treats URL passwords, tokens, secret-named variables and redact: names as secrets', () => {
    const { substitutions } = interpolate(
      { store: { url: 'postgres://w:${DBPW}@db/w' }, telegram: { token: '${BOT}' }, note: '${PLAIN}' },
      {
        DBPW: 'p%40ss-word',
        BOT: '123:bot-token-value',
        GITHUB_TOKEN: 'ghp-123456',
        MY_CREDS: 'creds-789',
        PLAIN: 'hello-world',
      },
      { redact: ['MY_CREDS'] },
    );
    expect(substitutions.secrets).toEqual(
      expect.arrayContaining(['p%40ss-word', 'p@ss-word', '123:bot-token-value', 'ghp-123456', 'creds-789']),
    );
    expect(substitutions.secrets).not.toContain('hello-world');
    expect(substitutions.variableOf('telegram.token')).toBe('BOT');
  });

  it('knows secret-bearing variable names', () => {
    for (const name of ['PGPASSWORD', 'DB_PASSWD', 'API_KEY', 'AWS_SECRET_ACCESS_KEY', 'TELEGRAM_BOT_TOKEN', 'APIKEY'])
      expect(isSecretName(name), name).toBe(true);
    for (const name of ['PATH', 'HOME', 'MONKEY', 'KEYBOARD_LAYOUT', 'PM2_HOME'])
      expect(isSecretName(name), name).toBe(false);
  });
});
