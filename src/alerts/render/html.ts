/** Telegram's limit for one message's text. Renderers keep the whole HTML source within it. */
export const telegramLimit = 4096;

/** Escapes a value for Telegram's HTML parse mode, which knows only these four named entities. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Removes ANSI colours, control characters (but newlines and tabs) and lone surrogates from raw text. */
export function clean(text: string): string {
  // control characters in these patterns are what is being removed
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '')
      .replace(/\r\n?/g, '\n')
      // eslint-disable-next-line no-control-regex
      .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '')
      .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
  );
}

/** Shortens raw text to `max` characters without splitting an emoji, marking the cut with `…`. */
export function clip(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** The escaped value of `clip(clean(text), max)`: how every interpolated field enters a message. */
export function field(text: string, max: number): string {
  return escapeHtml(clip(clean(text).replace(/\s+/g, ' ').trim(), max));
}

/**
 * The newest lines of a log excerpt, escaped, whose escaped length fits `budget`. Trimming happens
 * on the raw text before escaping, so no entity is ever cut; a cut is marked with a leading `…`.
 */
export function escapedTail(raw: string, budget: number, maxLines: number): string {
  const lines = clean(raw).replace(/\n+$/, '').split('\n');
  const kept: string[] = [];
  let used = 0;
  let cut = lines.length > maxLines;
  for (let i = lines.length - 1; i >= Math.max(0, lines.length - maxLines); i--) {
    const escaped = escapeHtml(lines[i]!);
    const cost = escaped.length + (kept.length > 0 ? 1 : 0);
    if (used + cost + 2 > budget) {
      if (kept.length === 0) kept.push(escapedCharsFromEnd(lines[i]!, budget - 2));
      cut = true;
      break;
    }
    kept.unshift(escaped);
    used += cost;
  }
  const body = kept.join('\n');
  return cut ? `…\n${body}` : body;
}

function escapedCharsFromEnd(line: string, budget: number): string {
  const chars = Array.from(line);
  let out = '';
  for (let i = chars.length - 1; i >= 0; i--) {
    const escaped = escapeHtml(chars[i]!);
    if (out.length + escaped.length > budget) break;
    out = escaped + out;
  }
  return out;
}

/** The plain-text twin of a message warden rendered: links keep their URL, tags go, entities decode. */
export function htmlToText(html: string): string {
  return html
    .replace(/<a href="([^"]*)">([\s\S]*?)<\/a>/g, (_, href: string, label: string) => `${label} (${href})`)
    .replace(/<[^>]+>/g, '')
    .replace(/&(lt|gt|quot|amp);/g, (_, name: string) => ({ lt: '<', gt: '>', quot: '"', amp: '&' })[name]!);
}
