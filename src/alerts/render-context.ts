import type { Config } from '../config/schema.ts';
import type { RenderContext } from './render/context.ts';
import { runbookUrl } from './runbook-url.ts';

/** The render context for `now`, from the parts of the config alerts show. */
export function renderContextFrom(config: Config, now: number): RenderContext {
  const { telegram, runbooks } = config;
  return {
    host: config.host,
    timezone: config.timezone,
    locale: telegram.locale,
    now,
    quietHours: telegram.quietHours ?? null,
    runbookUrl: (topic) => runbookUrl(topic, runbooks, telegram.locale),
  };
}
