const REDACTED = '[REDACTED]';

const genericSecretPatterns: Array<[RegExp, string]> = [
  // Bot API URLs carry the token in the path: https://api.telegram.org/bot123:ABC/sendMessage
  [/bot\d{5,}:[A-Za-z0-9_-]{20,}/g, `bot${REDACTED}`],
  [/\b\d{8,10}:[A-Za-z0-9_-]{35}\b/g, REDACTED],
  // user:password@ inside any URL
  [/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi, `$1${REDACTED}@`],
  [/(authorization["']?\s*[:=]\s*["']?)(bearer|basic)?\s*[^\s"',}]+/gi, `$1${REDACTED}`],
  [/(password=)[^\s&;"']+/gi, `$1${REDACTED}`],
];

/** Keys pino masks wherever they appear (one level deep, as pino's redact paths go). */
export const redactedKeys = [
  'token',
  'password',
  'authorization',
  'headers.authorization',
  '*.token',
  '*.password',
  '*.authorization',
  '*.headers.authorization',
];

/**
 * Removes known secret values and anything shaped like a secret from a string. pino's `redact`
 * masks keys only; tokens also travel inside URLs, error messages and stacks.
 */
export function createScrubber(secrets: readonly string[]): (text: string) => string {
  const known = [...new Set(secrets.filter((s) => s.length >= 4))]
    .flatMap((s) => [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)])
    .sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of known) out = out.split(secret).join(REDACTED);
    for (const [pattern, replacement] of genericSecretPatterns) out = out.replace(pattern, replacement);
    return out;
  };
}
