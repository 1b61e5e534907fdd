// CSI (ESC [ … final), OSC (ESC ] … BEL or ST), the 8-bit CSI, and two-byte escapes (ESC 7, ESC c …).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const controlSequence = /\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[ -~]?/g;
// Every other control character except tab and newline; NUL alone makes PostgreSQL refuse the text.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const controlCharacter = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/**
 * Text from outside (command output, app logs) made fit to show and store: terminal control
 * sequences removed (an OSC title would otherwise show as `]0;title`), CRLF as LF, lone surrogates
 * replaced so the store holds valid UTF-8.
 * @example cleanText('\x1b[31mred\x1b[0m\r\n') // 'red\n'
 */
export function cleanText(text: string): string {
  return text
    .replace(/\r\n/g, '\n')
    .replace(controlSequence, '')
    .replace(controlCharacter, '')
    .replace(loneSurrogate, '\uFFFD');
}

// String.prototype.toWellFormed exists on Node 20 but not in the ES2023 lib this project compiles against.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** True when the text encodes to UTF-8 without replacement (no lone surrogates). */
export function isWellFormed(text: string): boolean {
  return !new RegExp(loneSurrogate.source).test(text);
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
/** Graphemes longer than this (flags, families) are rare; looking this far around a cut is enough. */
const graphemeWindow = 32;

/** Moves `cut` back to the start of the grapheme it falls in (never inside a surrogate pair). */
function graphemeBoundary(text: string, cut: number): number {
  if (cut <= 0 || cut >= text.length) return cut;
  const from = Math.max(0, cut - graphemeWindow);
  let boundary = from;
  for (const { index } of graphemes.segment(text.slice(from, cut + graphemeWindow))) {
    if (from + index > cut) break;
    boundary = from + index;
  }
  // the window may start inside a grapheme; a code point boundary is the least we keep
  if (boundary === from && from > 0) return isLowSurrogate(text.charCodeAt(cut)) ? cut - 1 : cut;
  return boundary;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** At most `maxUnits` UTF-16 units (Telegram's unit) from the start, cut between graphemes. */
export function head(text: string, maxUnits: number): string {
  return text.length <= maxUnits ? text : text.slice(0, graphemeBoundary(text, maxUnits));
}

/** At most `maxUnits` UTF-16 units from the end, cut between graphemes: the end explains a failure. */
export function tail(text: string, maxUnits: number): string {
  if (text.length <= maxUnits) return text;
  const cut = text.length - maxUnits;
  const boundary = graphemeBoundary(text, cut);
  // moving back would exceed the limit; the next boundary is the start of the following grapheme
  return text.slice(boundary === cut ? cut : nextBoundary(text, cut));
}

function nextBoundary(text: string, cut: number): number {
  const from = Math.max(0, cut - graphemeWindow);
  for (const { index } of graphemes.segment(text.slice(from, cut + graphemeWindow))) {
    if (from + index >= cut) return from + index;
  }
  return isLowSurrogate(text.charCodeAt(cut)) ? cut + 1 : cut;
}
