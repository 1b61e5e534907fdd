import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { createDaemon } from '../daemon.ts';
import { systemClock } from '../lib/clock.ts';
import { WardenError } from '../lib/errors.ts';
import { createLogger, type Logger, type OpenLogger } from '../lib/logger.ts';
import { openStore } from '../store/db.ts';
import { lockStore } from '../store/lock.ts';
import type { Command } from './command.ts';
import type { Io } from './io.ts';
import { version } from './version.ts';

/** pm2's kill_timeout is 10 s; finish before it sends SIGKILL. */
const stopDeadlineMs = 9000;

export const run = {
  usage: 'run',
  summary: 'run the daemon in the foreground (pm2 runs it); SIGTERM or SIGINT stops it cleanly',
  options: {},
  async run({ configPath, io }) {
    const { config, secrets } = loadConfig(configPath, io.env);
    const logger = await openLogger(config, secrets, io);
    const log = logger.log;
    const stopRequested = waitForStopSignal(log);
    let storeLock;
    let store;
    try {
      // before anything touches the store: a second daemon must not record runs or open incidents
      storeLock = await lockStore(config.store.url, {
        pid: process.pid,
        log: log.child({ part: 'store' }),
        host: config.host,
      });
    } catch (err) {
      logFatal(log, err, 'store locked or unavailable');
      await logger.close();
      throw err;
    }
    try {
      store = await openStore(config.store.url, { log: log.child({ part: 'store' }) });
    } catch (err) {
      logFatal(log, err, 'store unavailable');
      await storeLock.release();
      await logger.close();
      throw err;
    }
    const daemon = createDaemon({ config, store, log, clock: systemClock, version, secrets, storeLock });
    try {
      await daemon.start();
    } catch (err) {
      logFatal(log, err, 'start failed');
      await store.close();
      await storeLock.release();
      await logger.close();
      throw err;
    }
    // pm2 waits for this with wait_ready before it counts the app as online
    process.send?.('ready');
    const reason = await stopRequested;
    log.info({ reason }, 'stop requested');
    const deadline = setTimeout(() => {
      log.error({ deadlineMs: stopDeadlineMs }, 'stop overran its deadline; exiting anyway');
      process.exit(1);
    }, stopDeadlineMs);
    deadline.unref();
    await daemon.stop();
    await store.close();
    await storeLock.release();
    clearTimeout(deadline);
    await logger.close();
    return reason === 'crash' ? 1 : 0;
  },
} satisfies Command;

/** An expected failure (port in use, database missing) is one line; its stack only helps at debug level. */
function logFatal(log: Logger, err: unknown, message: string): void {
  if (!(err instanceof WardenError)) return log.fatal({ err }, message);
  log.fatal({ reason: err.message }, message);
  log.debug({ err }, `${message}: details`);
}

function openLogger(config: Config, secrets: string[], io: Io): Promise<OpenLogger> {
  const underPm2OrTty = process.stdout.isTTY || io.env.pm_id !== undefined;
  return createLogger({
    level: config.log.level,
    stdout: config.log.stdout ?? (underPm2OrTty ? 'pretty' : 'json'),
    file: config.log.file,
    maxFileBytes: config.log.maxFileBytes,
    keepFiles: config.log.keepFiles,
    secrets,
  });
}

/**
 * Resolves on SIGTERM/SIGINT, or after an uncaught error was logged (then the daemon stops and exits 1).
 * The handlers stay installed: Ctrl-C of `npm start` signals the whole process group, and pm2-runtime
 * then sends its own SIGINT; a second signal must not kill the stop in progress.
 */
function waitForStopSignal(log: Logger): Promise<'SIGTERM' | 'SIGINT' | 'crash'> {
  return new Promise((resolve) => {
    let requested = false;
    const onSignal = (signal: 'SIGTERM' | 'SIGINT'): void => {
      if (requested) log.info({ signal }, 'stop already in progress');
      requested = true;
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    const crash = (err: unknown, kind: string): void => {
      log.fatal({ err, kind }, 'uncaught error; stopping');
      resolve('crash');
    };
    process.on('uncaughtException', (err) => crash(err, 'uncaughtException'));
    process.on('unhandledRejection', (err) => crash(err, 'unhandledRejection'));
  });
}
