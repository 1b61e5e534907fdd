import type { Config } from '../../config/schema.ts';
import type { ProbeResult } from './types.ts';

/** The base URL warden.config.yaml ships with: links built on it lead to a repository that is not the operator's. */
const placeholder = /\/\/(?:[^/]*\.)?github\.com\/your-org\//i;
const unreachable =
  /^https?:\/\/(?:localhost|127\.|\[::1\]|(?:[^/]*\.)?example\.(?:com|org|net)\b|[^/]*\.(?:invalid|test|example)\b)/i;

/**
 * `runbooks.baseUrl`: alerts link to it. A placeholder or a host no phone can reach is a warning, not
 * a failure: the alert still carries the first step, and `check` stays usable before it is published.
 */
export function probeRunbooks(config: Config): ProbeResult {
  const name = 'runbooks.baseUrl';
  const url = config.runbooks.baseUrl;
  const fix =
    'set runbooks.baseUrl to where your copy of docs/runbook is published (e.g. https://github.com/ORG/REPO/blob/main/docs/runbook)';
  if (url === null) return { name, ok: true, detail: `not set — warning: alerts carry no runbook link; ${fix}` };
  if (placeholder.test(url))
    return {
      name,
      ok: true,
      detail: `${url} — warning: still the shipped placeholder (your-org), alert links lead nowhere; ${fix}`,
    };
  if (unreachable.test(url)) return { name, ok: true, detail: `${url} — warning: not reachable from a phone; ${fix}` };
  return { name, ok: true, detail: url };
}
