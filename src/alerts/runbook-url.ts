import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/schema.ts';
import type { Topic } from '../incidents/topics.ts';
import type { Locale } from './render/context.ts';

/** The runbook folder shipped with warden (`docs/runbook`), from `src/alerts` and `dist/alerts` alike. */
export const runbookDir = fileURLToPath(new URL('../../docs/runbook/', import.meta.url));

const koPagesByDir = new Map<string, ReadonlySet<string>>();

/**
 * The runbook link for a topic: the operator's `runbooks.links[topic]`, else
 * `${baseUrl}/<topic>.md`, or `${baseUrl}/ko/<topic>.md` when the locale is ko and that page exists.
 * Null when no base URL is configured.
 * @example runbookUrl('disk-usage', config.runbooks, 'ko') // 'https://…/docs/runbook/ko/disk-usage.md'
 */
export function runbookUrl(
  topic: Topic,
  runbooks: Config['runbooks'],
  locale: Locale,
  dir: string = runbookDir,
): string | null {
  const override = runbooks.links[topic];
  if (override) return override;
  if (!runbooks.baseUrl) return null;
  const base = runbooks.baseUrl.replace(/\/+$/, '');
  return locale === 'ko' && koPages(dir).has(topic) ? `${base}/ko/${topic}.md` : `${base}/${topic}.md`;
}

/** Topics with a Korean page, read once per folder: the pages ship with warden and do not change at run time. */
function koPages(dir: string): ReadonlySet<string> {
  let pages = koPagesByDir.get(dir);
  if (!pages) {
    try {
      pages = new Set(
        fs
          .readdirSync(`${dir.replace(/\/+$/, '')}/ko`)
          .filter((name) => name.endsWith('.md'))
          .map((name) => name.slice(0, -3)),
      );
    } catch {
      pages = new Set();
    }
    koPagesByDir.set(dir, pages);
  }
  return pages;
}
