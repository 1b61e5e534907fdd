import { telegramLimit } from '../alerts/render/html.ts';

/**
 * Joins HTML lines (each one complete, tags closed) into one message within Telegram's limit: lines
 * that do not fit are dropped from the end and counted in the last line, so no tag is ever cut.
 * @example fitLines(lines, (n) => `…and ${n} more lines`)
 */
export function fitLines(lines: readonly string[], more: (dropped: number) => string, limit = telegramLimit): string {
  const all = lines.join('\n');
  if (all.length <= limit) return all;
  const kept: string[] = [];
  let used = 0;
  for (const [i, line] of lines.entries()) {
    const tail = `\n${more(lines.length - i)}`;
    if (used + line.length + 1 + tail.length > limit) {
      kept.push(more(lines.length - i));
      break;
    }
    kept.push(line);
    used += line.length + 1;
  }
  return kept.join('\n');
}
