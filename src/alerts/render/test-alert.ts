import type { Rendered } from '../channels/types.ts';
import type { RenderContext } from './context.ts';
import { escapeHtml, field, htmlToText } from './html.ts';
import { locales } from './locales/index.ts';
import { formatClock, zoneLabel } from './time.ts';

/** `warden alert test`: rings, so the operator learns that the phone really gets alerts. */
export function renderTestAlert(chatId: string, context: RenderContext): Rendered {
  const t = locales[context.locale];
  const time = `${formatClock(context.now, context.now, context.timezone, t.intl)} ${escapeHtml(zoneLabel(context.now, context.timezone, t.intl))}`;
  const html = [t.testTitle, t.testBody(field(context.host, 64), field(chatId, 64)), t.sentAt(time)].join('\n');
  return { html, text: htmlToText(html), buttons: [], silent: false };
}
