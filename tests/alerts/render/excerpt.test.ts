import { describe, expect, it } from 'vitest';
import { compactExcerpt } from '../../../src/alerts/render/excerpt.ts';
import { renderIncident } from '../../../src/alerts/render/incident.ts';
import { makeIncident, renderContext } from '../../helpers/incident.ts';

/** Rows a phone shows for the text, at about 40 monospace characters a row. */
const rowsOf = (text: string): number =>
  text.split('\n').reduce((sum, line) => sum + Math.max(1, Math.ceil(Array.from(line).length / 40)), 0);

describe('log excerpt on a phone', () => {
  it('shows ten identical lines once with × 10', () => {
    const raw = ['connecting to queue', ...Array<string>(10).fill('ECONNRESET upstream'), 'giving up'].join('\n');
    expect(compactExcerpt(raw)).toBe('connecting to queue\nECONNRESET upstream × 10\ngiving up');
  });

  it('shows a stack trace that a crash loop printed three times once, bracketed with × 3', () => {
    const trace = ['Error: DATABASE_URL is not set', '    at main (app.mjs:3:9)', '    at app.mjs:5:1'];
    expect(compactExcerpt([...trace, ...trace, ...trace].join('\n'))).toBe(
      ['┌ Error: DATABASE_URL is not set', '│     at main (app.mjs:3:9)', '└     at app.mjs:5:1 × 3'].join('\n'),
    );
  });

  it('clips a long line with … and keeps its repeat count', () => {
    const long = `Error: ${'x'.repeat(500)}`;
    const [line] = compactExcerpt(`${long}\n${long}`).split('\n');
    expect(line).toMatch(/^Error: x+… × 2$/);
    expect(line!.length).toBeLessThanOrEqual(120);
  });

  it('keeps the newest lines that fit twelve rows and marks the older ones left out', () => {
    const raw = Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n');
    const lines = compactExcerpt(raw).split('\n');
    expect(lines).toEqual(['…', ...Array.from({ length: 11 }, (_, i) => `line ${39 + i}`)]);
    const wide = Array.from({ length: 50 }, (_, i) => `${i} ${'y'.repeat(100)}`).join('\n');
    expect(rowsOf(compactExcerpt(wide))).toBeLessThanOrEqual(12);
  });

  it('keeps the first step and the runbook link on the first screen however long the log', () => {
    const raw = Array.from({ length: 300 }, (_, i) => `${i} ${'stack frame '.repeat(i % 20)}`).join('\n');
    const { text } = renderIncident(makeIncident('service-down:api', { excerpt: raw }), renderContext());
    const lines = text.split('\n');
    const link = lines.findIndex((l) => l.startsWith('📖'));
    expect(lines.some((l) => l.startsWith('👉'))).toBe(true);
    expect(link).toBeGreaterThan(0);
    // a phone shows about 30 rows of a message; the link ends within the first 26
    expect(rowsOf(lines.slice(0, link + 1).join('\n'))).toBeLessThanOrEqual(26);
  });
});
