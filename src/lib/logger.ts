import fs from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { pino, type Logger as PinoLogger, type StreamEntry } from 'pino';
import roll from 'pino-roll';
import { createScrubber, redactedKeys } from './redact.ts';

export type Logger = PinoLogger;

export interface LoggerOptions {
  level: string;
  stdout: 'pretty' | 'json';
  /** JSON log file base name, e.g. `logs/warden.log`; pino-roll writes `warden.1.log`, … and links `current.log`. */
  file: string | null;
  maxFileBytes: number;
  keepFiles: number;
  /** Exact values that must never be written (bot token, database passwords). */
  secrets: readonly string[];
  /** Where stdout lines go; tests pass a stream to read them. */
  stdoutStream?: NodeJS.WritableStream;
}

export interface OpenLogger {
  log: Logger;
  /** Flushes and closes the file; safe to call twice. */
  close(): Promise<void>;
}

export async function createLogger(options: LoggerOptions): Promise<OpenLogger> {
  const stdout = options.stdoutStream ?? process.stdout;
  const streams: StreamEntry[] = [
    {
      level: options.level as pino.Level,
      stream:
        options.stdout === 'pretty'
          ? (await import('pino-pretty')).default({
              destination: stdout,
              colorize: false,
              singleLine: true,
              translateTime: 'SYS:HH:MM:ss',
              ignore: 'pid,hostname',
            })
          : stdout,
    },
  ];
  let file: Writable | null = null;
  if (options.file) {
    // pino-roll crashes on a missing folder when it creates the current.log link
    fs.mkdirSync(path.dirname(options.file), { recursive: true });
    file = await roll({
      file: options.file,
      size: `${Math.max(1, Math.round(options.maxFileBytes / 1024))}k`,
      frequency: 'daily',
      limit: { count: options.keepFiles, removeOtherLogFiles: true },
      mkdir: true,
      symlink: true,
    });
    streams.push({
      level: options.level as pino.Level,
      stream: file as unknown as NodeJS.WritableStream,
    });
  }
  const scrub = createScrubber(options.secrets);
  const log = pino(
    {
      level: options.level,
      base: undefined,
      redact: { paths: redactedKeys, censor: '[REDACTED]' },
      hooks: { streamWrite: scrub },
    },
    pino.multistream(streams),
  );
  let closing: Promise<void> | undefined;
  return {
    log,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        if (!file) {
          resolve();
          return;
        }
        file.once('close', () => resolve());
        file.once('error', () => resolve());
        file.end();
      })),
  };
}
