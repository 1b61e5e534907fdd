import type { Config } from '../config/schema.ts';
import type { AlertMode } from '../store/tables.ts';

/** Telegram when the config has a bot token, else dry-run (alerts go to the log). */
export function alertModeFor(config: Config): AlertMode {
  return config.telegram.token ? 'telegram' : 'dry-run';
}
