import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { topicNames } from '../src/incidents/topics.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const docsDir = path.join(root, 'docs');
const runbookDir = path.join(docsDir, 'runbook');

/** The five sections every runbook page has, in this order (SPEC §7). */
const sections = {
  en: ['What it means', 'Check first', 'Fix', 'Verify', 'Escalate'],
  ko: ['의미', '먼저 확인할 것', '해결 방법', '정상화 확인', '에스컬레이션'],
} as const;

const locales = [
  { locale: 'en', dir: runbookDir },
  { locale: 'ko', dir: path.join(runbookDir, 'ko') },
] as const;

describe('runbooks', () => {
  describe.each(locales)('$locale pages', ({ locale, dir }) => {
    it.each(topicNames)('%s has a page with the five sections', (topic) => {
      const file = path.join(dir, `${topic}.md`);
      expect(fs.existsSync(file), `${path.relative(root, file)} is missing`).toBe(true);
      const text = fs.readFileSync(file, 'utf8');

      expect(text.split('\n')[0]).toMatch(new RegExp(`^# ${topic} — \\S`));
      expect(headings(text, 2)).toEqual(sections[locale]);
    });

    it.each(topicNames)('%s gives exact commands to check first', (topic) => {
      const text = fs.readFileSync(path.join(dir, `${topic}.md`), 'utf8');
      const checkFirst = sectionBody(text, sections[locale][1]);
      expect(checkFirst).toMatch(/```sh(?: example)?\n[^`]*\S[^`]*\n```/);
    });

    it('has no page for a topic that does not exist', () => {
      const pages = fs
        .readdirSync(dir)
        .filter((name) => name.endsWith('.md') && name !== 'README.md')
        .map((name) => name.slice(0, -3));
      expect(pages.filter((page) => !(topicNames as string[]).includes(page))).toEqual([]);
    });
  });

  it('the index links both pages of every topic', () => {
    const index = fs.readFileSync(path.join(runbookDir, 'README.md'), 'utf8');
    const targets = links(index).map((link) => link.target);
    for (const topic of topicNames) {
      expect(targets).toContain(`${topic}.md`);
      expect(targets).toContain(`ko/${topic}.md`);
    }
  });
});

describe('docs links', () => {
  const pages = markdownFiles(docsDir);

  it('finds the operations guide and the runbooks', () => {
    const relative = pages.map((file) => path.relative(docsDir, file));
    expect(relative).toContain('operations.md');
    expect(relative).toContain(path.join('runbook', 'ko', 'service-down.md'));
  });

  it('every relative link points at an existing file and heading', () => {
    const broken: string[] = [];
    let checked = 0;
    for (const page of pages) {
      const text = fs.readFileSync(page, 'utf8');
      for (const { target, line } of links(text)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
        checked++;
        const [file = '', anchor] = target.split('#');
        const resolved = file === '' ? page : path.resolve(path.dirname(page), decodeURI(file));
        const where = `${path.relative(root, page)}:${line} → ${target}`;
        if (!fs.existsSync(resolved)) {
          broken.push(`${where}: no such file`);
        } else if (anchor !== undefined && resolved.endsWith('.md')) {
          const slugs = headings(fs.readFileSync(resolved, 'utf8')).map(slug);
          if (!slugs.includes(anchor)) broken.push(`${where}: no heading #${anchor}`);
        }
      }
    }
    expect(broken).toEqual([]);
    expect(checked).toBeGreaterThan(topicNames.length * 2);
  });
});

function markdownFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(full);
    return entry.name.endsWith('.md') ? [full] : [];
  });
}

/** Markdown without fenced code blocks, line count preserved. */
function withoutCodeBlocks(text: string): string {
  return text.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, (block) => block.replace(/[^\n]/g, ''));
}

/** Heading texts (of one level, or all), outside code blocks. */
function headings(text: string, level?: number): string[] {
  const pattern = level === undefined ? /^#{1,6} +(.+?) *$/gm : new RegExp(`^#{${level}} +(.+?) *$`, 'gm');
  return [...withoutCodeBlocks(text).matchAll(pattern)].map((match) => match[1]!);
}

/** The text between `## title` and the next `## ` heading. */
function sectionBody(text: string, title: string): string {
  const start = text.indexOf(`\n## ${title}\n`);
  if (start === -1) return '';
  const rest = text.slice(start + title.length + 5);
  const end = rest.search(/^## /m);
  return end === -1 ? rest : rest.slice(0, end);
}

/** Inline links `[text](target)` outside code blocks and code spans, with their line numbers. */
function links(text: string): Array<{ target: string; line: number }> {
  return withoutCodeBlocks(text)
    .replace(/`[^`\n]*`/g, '')
    .split('\n')
    .flatMap((content, i) =>
      [...content.matchAll(/\]\(([^()\s]+)(?: +"[^"]*")?\)/g)].map((match) => ({ target: match[1]!, line: i + 1 })),
    );
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens (Hangul is kept). */
function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
    .replace(/ /g, '-');
}
