import { z } from 'zod';
import { checkKinds, type CheckKinds } from './index.ts';
import type { RegisteredCheckKind } from './types.ts';

/** A service's check: which kind, with that kind's parsed options. */
export type CheckConfig = {
  [K in keyof CheckKinds]: { kind: K; options: z.output<CheckKinds[K]['options']> };
}[keyof CheckKinds];

/**
 * `services.<name>.check`: exactly one key, naming a kind of the registry, with that kind's
 * options. Built from the registry, so a new kind needs no line here.
 */
export function checkSchema(kinds: Record<string, RegisteredCheckKind> = checkKinds) {
  const names = Object.keys(kinds);
  const shape = Object.fromEntries(names.map((name) => [name, kinds[name]!.options.optional()]));
  return z
    .strictObject(shape, { error: `must name one check kind: ${names.join(', ')}` })
    .transform((value, ctx): CheckConfig => {
      const named = names.filter((name) => value[name] !== undefined);
      if (named.length !== 1) {
        ctx.addIssue({ code: 'custom', message: `must name exactly one check kind: ${names.join(', ')}` });
        return z.NEVER;
      }
      const kind = named[0]!;
      // the registry pairs each kind with its own options, which TypeScript cannot follow through the lookup
      return { kind, options: value[kind] } as CheckConfig;
    });
}
