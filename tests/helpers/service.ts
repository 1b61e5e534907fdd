import { parseConfig } from '../../src/config/load.ts';
import type { Config, ServiceConfig } from '../../src/config/schema.ts';

/** A config parsed from YAML the way `warden.config.yaml` is, so tests get real defaults and units. */
export function configFrom(yaml: string, env: NodeJS.ProcessEnv = {}): Config {
  return parseConfig(yaml, 'warden.config.yaml', { env, baseDir: '/srv/warden' }).config;
}

/** One service from a `services:` block body, e.g. `check: { tcp: { port: 80 } }`. */
export function serviceFrom(name: string, body: string): ServiceConfig {
  const indented = body
    .trim()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
  const service = configFrom(`services:\n  ${name}:\n${indented}\n`).services[name];
  if (!service) throw new Error(`service ${name} did not parse`);
  return service;
}
