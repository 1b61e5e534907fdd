import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkKinds, runCheck } from '../../src/checks/index.ts';
import type { CheckConfig } from '../../src/checks/config.ts';
import type { CheckKind, CheckResult } from '../../src/checks/types.ts';
import { duration } from '../../src/config/fields.ts';
import { configSchema } from '../../src/config/schema.ts';

// A kind as a contributor would write it: its options schema and a probe, nothing else.
const echoOptions = z
  .strictObject({ say: z.string().min(1), timeout: duration('1s').prefault('1s') })
  .transform(({ timeout, ...rest }) => ({ ...rest, timeoutMs: timeout }));
type EchoOptions = z.output<typeof echoOptions>;
const echo = {
  options: echoOptions,
  run: (options: EchoOptions, _signal: AbortSignal, target): Promise<CheckResult> =>
    Promise.resolve({ ok: true, detail: `${target.service} says ${options.say}`, latencyMs: 0 }),
} satisfies CheckKind<EchoOptions>;

const kinds = { ...checkKinds, echo };
const schema = configSchema(
  { baseDir: '/srv/warden', hostname: 'test-host', systemTimezone: 'UTC' },
  { checkKinds: kinds },
);

describe('check registry', () => {
  it('validates and runs a kind added with one registry line', async () => {
    const parsed = schema.safeParse({ services: { greeter: { check: { echo: { say: 'hello' } } } } });
    expect(parsed.success).toBe(true);
    const check = parsed.data!.services.greeter!.check as unknown as CheckConfig;
    expect(check).toEqual({ kind: 'echo', options: { say: 'hello', timeoutMs: 1000 } });
    const result = await runCheck(
      check,
      new AbortController().signal,
      { service: 'greeter', pm2App: null, pm2: null },
      kinds,
    );
    expect(result).toEqual({ ok: true, detail: 'greeter says hello', latencyMs: 0 });
  });

  it("reports the new kind's option problems at their key path", () => {
    const parsed = schema.safeParse({ services: { greeter: { check: { echo: { say: '', extra: 1 } } } } });
    expect(parsed.success).toBe(false);
    const where = parsed.error!.issues.map((issue) => issue.path.join('.'));
    expect(where).toEqual(expect.arrayContaining(['services.greeter.check.echo', 'services.greeter.check.echo.say']));
  });

  it('names every registered kind, the new one included, when a check names none', () => {
    const parsed = schema.safeParse({ services: { greeter: { check: { ping: {} } } } });
    expect(parsed.error!.issues.map((issue) => issue.message)).toContain(
      'must name one check kind: http, tcp, command, postgres, pm2, echo',
    );
  });

  it('rejects the kind where the registry does not have it', () => {
    const plain = configSchema({ baseDir: '/srv/warden', hostname: 'test-host', systemTimezone: 'UTC' });
    expect(plain.safeParse({ services: { greeter: { check: { echo: { say: 'hello' } } } } }).success).toBe(false);
  });
});
