import { head } from '../../lib/text.ts';
import { clean } from './html.ts';

/** Monospace characters a phone shows on one row of a message. */
const phoneColumns = 40;
/** Rows the excerpt may take, so the runbook link below it stays on the first screen. */
const excerptRows = 12;
/** A longer line is clipped (marked `…`): its start says what failed. */
const maxLineChars = 3 * phoneColumns;
/** The longest run of lines looked for repeats: a short stack trace that a crash loop prints each time. */
const maxBlockLines = 12;

/**
 * A log excerpt made to read on a phone: a line repeated in a row appears once as `line × 10`, a
 * repeated group of lines once in brackets (`┌ … └ × 3`), long lines are clipped with `…`, and only
 * the newest lines that fit about twelve phone rows are kept (a first line `…` marks older ones left
 * out). The result is raw text; the renderer escapes it.
 * @example compactExcerpt('retrying\n'.repeat(10)) // 'retrying × 10'
 */
export function compactExcerpt(raw: string): string {
  const lines = clean(raw)
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l !== '');
  const shown = collapseRepeats(lines);
  const kept: string[] = [];
  let rows = 0;
  for (let i = shown.length - 1; i >= 0; i--) {
    const cost = Math.max(1, Math.ceil(Array.from(shown[i]!).length / phoneColumns));
    // one row stays free for the `…` that marks what was left out
    if (rows + cost > excerptRows - (i > 0 ? 1 : 0)) {
      return ['…', ...kept].join('\n');
    }
    kept.unshift(shown[i]!);
    rows += cost;
  }
  return kept.join('\n');
}

function collapseRepeats(lines: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length;) {
    const { size, times } = longestRepeat(lines, i);
    const block = lines.slice(i, i + size);
    if (times === 1) out.push(clipLine(block[0]!, ''));
    else if (size === 1) out.push(clipLine(block[0]!, ` × ${times}`));
    else
      out.push(
        ...block.map((line, j) =>
          j === 0
            ? clipLine(`┌ ${line}`, '')
            : j < size - 1
              ? clipLine(`│ ${line}`, '')
              : clipLine(`└ ${line}`, ` × ${times}`),
        ),
      );
    i += size * times;
  }
  return out;
}

/** The block starting at `start` that repeats back to back over the most lines (the shortest on a tie). */
function longestRepeat(lines: string[], start: number): { size: number; times: number } {
  let best = { size: 1, times: 1 };
  for (let size = 1; size <= maxBlockLines && start + 2 * size <= lines.length; size++) {
    let times = 1;
    while (sameBlock(lines, start, start + times * size, size)) times += 1;
    if (times > 1 && times * size > best.times * best.size) best = { size, times };
  }
  return best;
}

function sameBlock(lines: string[], a: number, b: number, size: number): boolean {
  if (b + size > lines.length) return false;
  for (let j = 0; j < size; j++) if (lines[a + j] !== lines[b + j]) return false;
  return true;
}

/** The line clipped to leave room for `suffix` (a repeat count, always shown). */
function clipLine(line: string, suffix: string): string {
  const max = maxLineChars - suffix.length;
  return (line.length <= max ? line : `${head(line, max - 1)}…`) + suffix;
}
