import path from 'node:path';
import { z } from 'zod';

/** What a schema fragment needs to know about where the config came from. */
export interface SchemaContext {
  /** Relative paths in the file are resolved against the folder that holds the config file. */
  baseDir: string;
  hostname: string;
  systemTimezone: string;
  /** The environment variable the bot token came from, for messages; null when written empty. */
  tokenVariable?: string | null;
}

/** A path in the config file, made absolute against the config file's folder. */
export function filePath(context: SchemaContext) {
  return z
    .string()
    .min(1)
    .transform((p) => path.resolve(context.baseDir, p));
}
