/**
 * A button under a message: a link (the runbook) or a callback the bot answers.
 * @example { text: '📖 Runbook', url: 'https://github.com/org/warden/blob/main/docs/runbook/service-down.md' }
 */
export type Button = { text: string; url: string } | { text: string; callbackData: string };

/**
 * A message ready to send, produced by the pure renderers in `alerts/render/`: the HTML body, the
 * same content as plain text (sent when Telegram cannot parse the HTML), buttons, and whether the
 * phone should stay quiet.
 * @example { html: '🔴 <b>Service down</b> — api', text: '🔴 Service down — api', buttons: [], silent: false }
 */
export interface Rendered {
  html: string;
  text: string;
  buttons: Button[][];
  silent: boolean;
}

/**
 * What a channel is asked to send: a rendered message, in which format, optionally as a reply.
 * @example { ...rendered, format: 'html', replyTo: '17' }
 */
export interface Outgoing extends Rendered {
  format: 'html' | 'text';
  /** The message this one replies to, in the same chat. */
  replyTo: string | null;
}

/**
 * Where a message goes: a Telegram chat, optionally a forum thread.
 * @example { chatId: '-1001234567890', thread: 12 }
 */
export interface Recipient {
  chatId: string;
  thread: number | null;
}

/**
 * Why a send failed, in terms the dispatcher acts on: `format` is re-sent as plain text,
 * `rate-limited` waits `retryAfterMs`, `unreachable` retries with backoff, `recipient` (blocked,
 * chat not found) fails that chat's copy, `gone` (message to edit is gone) skips the edit.
 */
export type FailureKind =
  'format' | 'rate-limited' | 'unreachable' | 'recipient' | 'gone' | 'rejected' | 'unauthorized';

/**
 * The outcome of one send or edit, exactly as it happened; a channel never throws.
 * @example { ok: false, permanent: true, kind: 'recipient', reason: 'chat -1001234 not found: add the bot to the group' }
 */
export type Delivery =
  | { ok: true; messageId: string; toLog?: boolean }
  | { ok: false; permanent: boolean; kind: FailureKind; retryAfterMs?: number; reason: string };

/**
 * A way to deliver alerts: Telegram, or the log in dry-run.
 * @example const delivery = await channel.send(outgoing, { chatId: '42', thread: null }, signal)
 */
export interface Channel {
  name: 'telegram' | 'log';
  send(message: Outgoing, to: Recipient, signal: AbortSignal): Promise<Delivery>;
  /** Replaces the text and buttons of a message this channel sent earlier. */
  edit(messageId: string, message: Outgoing, to: Recipient, signal: AbortSignal): Promise<Delivery>;
}
