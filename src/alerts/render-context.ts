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
    actions: botAnswersButtons(config)
      ? { restartable: (name) => (config.services[name]?.restart.strategy ?? 'none') !== 'none' }
      : undefined,
    resolvedSound: telegram.resolvedSound,
  };
}

/** The bot polls for commands and button presses only with a token and at least one admin. */
export function botAnswersButtons(config: Config): boolean {
  return config.telegram.token !== null && config.telegram.admins.length > 0;
}
