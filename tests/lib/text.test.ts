import { describe, expect, it } from 'vitest';
import { cleanText, head, isWellFormed, tail } from '../../src/lib/text.ts';

const emoji = '😀';
const family = '👨‍👩‍👧';

describe('text from outside', () => {
  it('removes CSI and OSC sequences and stray control characters, keeps tabs and newlines', () => {
    expect(cleanText('\x1b]0;title\x07\x1b[1;31mred\x1b[0m\tok\r\n\x00done\x1b]8;;http://x\x1b\\link')).toBe(
      'red\tok\ndonelink',
    );
  });

  it('replaces lone surrogates so the text is valid UTF-8', () => {
    const broken = `a${emoji.slice(0, 1)}b${emoji.slice(1)}`;
    expect(cleanText(broken)).toBe('a\uFFFDb\uFFFD');
    expect(isWellFormed(cleanText(broken))).toBe(true);
  });

  it('cuts the tail and the head between characters, never inside a surrogate pair', () => {
    const text = emoji.repeat(10_000);
    for (const limit of [4096, 4095, 201, 1]) {
      const end = tail(text, limit);
      const start = head(text, limit);
      expect(end.length).toBeLessThanOrEqual(limit);
      expect(start.length).toBeLessThanOrEqual(limit);
      expect(isWellFormed(end) && isWellFormed(start)).toBe(true);
      expect(end.length).toBeGreaterThanOrEqual(limit - 1);
    }
  });

  it('does not split a grapheme made of several code points', () => {
    const text = family.repeat(50);
    const cutEnd = tail(text, 100);
    const cutStart = head(text, 100);
    expect(cutEnd.length % family.length).toBe(0);
    expect(cutStart.length % family.length).toBe(0);
    expect(cutEnd.length).toBeGreaterThan(0);
  });

  it('leaves short text alone', () => {
    expect(tail('abc', 10)).toBe('abc');
    expect(head('abc', 10)).toBe('abc');
  });
});
