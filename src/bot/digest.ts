import type { Rendered } from '../alerts/channels/types.ts';
import { htmlToText } from '../alerts/render/html.ts';
import { logChat } from '../alerts/outbox.ts';
import type { Config } from '../config/schema.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import { cron, type CronJob, type CronSlots } from '../scheduler/cron.ts';
import type { Store } from '../store/db.ts';
import { enqueueOutbox } from '../store/outbox.ts';
import { digestChartSvg, renderChartPng } from './chart.ts';
import { collectDigest, type DigestData } from './digest-data.ts';
import { renderDigest } from './digest-render.ts';
import type { BotTelegram } from './telegram.ts';
import { botTexts } from './texts.ts';

export interface DigestOptions {
  config: Config;
  store: Store;
  clock: Clock;
  log: Logger;
  /** Null in dry-run: the text still goes to the log through the outbox, the chart is skipped. */
  telegram: BotTelegram | null;
  /** Starts delivery of the queued text now. */
  wakeAlerts(): void;
  /** The chart as PNG [the SVG chart rendered by resvg]. */
  renderChart?(data: DigestData, config: Config): Uint8Array;
  /** Shared slots: a fleet sends one digest per schedule, whichever instance leads. */
  slots?: CronSlots | undefined;
}

const defaultChart = (data: DigestData, config: Config): Uint8Array =>
  renderChartPng(digestChartSvg(data, config.timezone, config.disk.warnRatio, config.disk.criticalRatio));

/** The daily digest on `digest.schedule`, in `timezone`. */
export function createDigest(options: DigestOptions): CronJob {
  const { config, clock } = options;
  return cron({
    name: 'digest',
    pattern: config.digest.schedule,
    timezone: config.timezone,
    clock,
    log: options.log.child({ part: 'digest' }),
    run: () => sendDigest(options),
    slots: options.slots,
  });
}

/**
 * One silent text message per chat through the outbox (durable, like alerts), then one PNG chart
 * per chat. The chart is a nicety: when it cannot be rendered or sent, the text has gone anyway.
 */
export async function sendDigest(options: DigestOptions): Promise<void> {
  const { config, store, clock, telegram } = options;
  const log = options.log.child({ part: 'digest' });
  const now = clock.now();
  const data = await collectDigest(config, store, now);
  const html = renderDigest(data, config.host, config.telegram.locale, config.timezone);
  const message: Rendered = { html, text: htmlToText(html), buttons: [], silent: true };
  const chats = config.telegram.chats.length > 0 ? config.telegram.chats : [logChat];
  await enqueueOutbox(
    store.db,
    chats.map((chat) => ({
      chatId: chat.id,
      thread: chat.thread ?? null,
      kind: 'message',
      payload: JSON.stringify(message),
    })),
    now,
  );
  options.wakeAlerts();
  log.info({ chats: chats.length, incidents: data.opened.length, chars: html.length }, 'digest queued');
  if (!telegram || config.telegram.chats.length === 0) return;

  let png: Uint8Array;
  try {
    png = (options.renderChart ?? defaultChart)(data, config);
  } catch (err) {
    log.warn({ err }, 'digest chart not rendered; the text went without it');
    return;
  }
  const caption = botTexts[config.telegram.locale].digestChartCaption(config.host);
  for (const chat of config.telegram.chats)
    await telegram.photo({ chatId: chat.id, thread: chat.thread }, png, caption, true);
}
