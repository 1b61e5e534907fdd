import path from 'node:path';
import type { Message } from 'node-telegram-bot-api';
import { escapedTail, field, telegramLimit } from '../alerts/render/html.ts';
import { locales } from '../alerts/render/locales/index.ts';
import { formatClock } from '../alerts/render/time.ts';
import type { Pm2Reader } from '../pm2/types.ts';
import type { Config } from '../config/schema.ts';
import { formatDuration, formatSize, parseDuration } from '../config/units.ts';
import { isTopic } from '../incidents/topics.ts';
import type { BackupService } from '../backups/backup-service.ts';
import { describeError } from '../lib/errors.ts';
import { findUnresolvedIncident, getIncident, listUnresolvedIncidents } from '../store/incidents.ts';
import { addSilence, liftSilences, silenceAll } from '../store/silences.ts';
import { displayName } from './admins.ts';
import { fitLines } from './fit.ts';
import type { CallbacksOptions } from './callbacks.ts';
import { maxLogLines, readServiceLogs } from './logs.ts';
import { incidentLine, renderStatus } from './status.ts';
import type { Place } from './telegram.ts';
import { botTexts, type CommandName } from './texts.ts';

export interface CommandsOptions extends CallbacksOptions {
  pm2: Pm2Reader | null;
  /** Masks secrets in text read from logs. */
  scrub(text: string): string;
  /** The same backup service as `warden backup run`; null without backup targets. */
  backups: BackupService | null;
}

/**
 * Callback data of the /restart confirmation: `rs:<service>` restarts on this host (as before fleet
 * mode), `rs:<host>/<service>` asks another host of the fleet (service names have no `/`), `rx`
 * cancels.
 */
export const restartConfirmPrefix = 'rs:';
export const restartCancel = 'rx';

export function restartConfirmData(host: string | null, service: string): string {
  return `${restartConfirmPrefix}${host === null ? '' : `${host}/`}${service}`;
}

/**
 * `api` → this host's api; `web-2/api` → web-2's (split at the last `/`: service names have none).
 * `host` is null when none was named.
 */
export function splitRestartTarget(text: string): { host: string | null; service: string } {
  const slash = text.lastIndexOf('/');
  return slash < 0 ? { host: null, service: text } : { host: text.slice(0, slash), service: text.slice(slash + 1) };
}

const commandNames: CommandName[] = [
  'status',
  'incidents',
  'ack',
  'silence',
  'unsilence',
  'restart',
  'backup',
  'logs',
  'help',
];

const usage: Record<CommandName, string> = {
  status: '/status',
  incidents: '/incidents',
  ack: '/ack ID',
  silence: '/silence TARGET DURATION',
  unsilence: '/unsilence TARGET',
  restart: '/restart SERVICE | HOST/SERVICE',
  backup: '/backup [TARGET]',
  logs: '/logs SERVICE [N]',
  help: '/help',
};

/** `/status@warden_bot args` → name, the bot it is addressed to (if any), and the arguments. */
export function parseCommand(text: string): { name: string; addressee: string | null; args: string[] } | null {
  const match = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{1,64}))?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!match) return null;
  return {
    name: match[1]!.toLowerCase(),
    addressee: match[2] ?? null,
    args: (match[3] ?? '').split(/\s+/).filter((a) => a !== ''),
  };
}

/**
 * The bot's commands: who may run them is checked first, then each one reads the store or acts
 * through the same tracker, silence and restart paths as the CLI.
 */
export function createCommands(options: CommandsOptions) {
  const { config, store, clock, incidents, telegram, access } = options;
  const log = options.log.child({ part: 'bot' });
  const t = botTexts[config.telegram.locale];
  const intl = locales[config.telegram.locale].intl;
  const serviceNames = (): string => Object.keys(config.services).join(', ') || '—';
  let username = '';
  const inFlight = new Set<Promise<void>>();
  const track = (work: Promise<void>): void => {
    const tracked = work
      .catch((err: unknown) => log.error({ err }, 'bot background command failed'))
      .finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  const handlers: Record<
    CommandName,
    (args: string[], place: Place & { messageId: number }, by: string, signal: AbortSignal) => Promise<string>
  > = {
    status: () => renderStatus(config, store, clock.now()),

    incidents: async () => {
      const open = await listUnresolvedIncidents(store.db);
      if (open.length === 0) return t.noIncidents;
      const now = clock.now();
      return fitLines(
        [`<b>${t.incidents}</b> (${open.length})`, ...open.map((i) => incidentLine(i, config.telegram.locale, now))],
        t.more,
      );
    },

    ack: async ([target, ...extra], _place, by) => {
      if (!target || extra.length > 0) return t.usage(usage.ack);
      const idOrKey = /^#?\d+$/.test(target) ? Number(target.replace('#', '')) : target;
      const ref = typeof idOrKey === 'number' ? `#${idOrKey}` : field(target, 80);
      const change = await incidents.acknowledge(idOrKey, by);
      if (change) return t.acknowledged(`#${change.incident.id}`, field(change.incident.key, 80));
      const current =
        typeof idOrKey === 'number'
          ? await getIncident(store.db, idOrKey)
          : await findUnresolvedIncident(store.db, idOrKey);
      if (current?.state === 'acknowledged')
        return t.alreadyAcknowledged(ref, current.acknowledgedBy ? field(current.acknowledgedBy, 64) : null);
      if (current?.state === 'resolved') return t.alreadyResolved(ref);
      return t.noSuchIncident(ref);
    },

    silence: async ([target, length, ...extra], _place, by) => {
      if (!target || !length || extra.length > 0) return t.usage(usage.silence);
      if (!isSilenceTarget(config, target)) return t.unknownTarget(field(target, 80), field(serviceNames(), 300));
      const durationMs = parseDuration(length);
      if (durationMs === undefined || durationMs <= 0) return t.badDuration(field(length, 40));
      const now = clock.now();
      const added = await addSilence(store, {
        target,
        until: now + durationMs,
        reason: `by ${by} from Telegram`,
        at: now,
      });
      log.info({ target, until: new Date(added.until).toISOString(), by }, 'silenced from Telegram');
      return t.silenced(
        field(target, 80),
        formatDuration(durationMs),
        formatClock(added.until, now, config.timezone, intl),
      );
    },

    unsilence: async ([target, ...extra], _place, by) => {
      if (!target || extra.length > 0) return t.usage(usage.unsilence);
      const lifted = await liftSilences(store, target, clock.now());
      if (lifted > 0) log.info({ target, by }, 'silence lifted from Telegram');
      return lifted > 0 ? t.unsilenced(field(target, 80)) : t.notSilenced(field(target, 80));
    },

    restart: async ([target, ...extra], place) => {
      if (!target || extra.length > 0) return t.usage(usage.restart);
      const resolved = await resolveRestartTarget(target);
      if ('answer' in resolved) return resolved.answer;
      const { host, name } = resolved;
      const data = restartConfirmData(host, name);
      const shown = host === null ? name : `${host}/${name}`;
      if (Buffer.byteLength(data) > 64)
        return t.restartNotPossible(field(shown, 120), 'the name is too long for a button');
      let question: string;
      if (host === null) {
        const service = config.services[name]!;
        const refusal = options.restart.refusal(service);
        if (refusal) return t.restartNotPossible(field(name, 60), field(refusal, 200));
        question = t.restartConfirm(field(name, 60), field(options.restart.describe(service), 200));
      } else {
        question = t.restartConfirmOn(field(name, 60), field(host, 60));
      }
      await telegram.reply(place, question, {
        buttons: [
          [
            { text: t.restartButton(shown), callbackData: data },
            { text: t.cancelButton, callbackData: restartCancel },
          ],
        ],
      });
      return '';
    },

    backup: ([name, ...extra], place, by, signal) => {
      if (extra.length > 0) return Promise.resolve(t.usage(usage.backup));
      const known = Object.keys(config.backups.targets);
      const backups = options.backups;
      if (!backups || known.length === 0) return Promise.resolve(t.noBackupTargets);
      if (name !== undefined && !known.includes(name))
        return Promise.resolve(t.unknownBackupTarget(field(name, 60), field(known.join(', '), 300)));
      const names = name === undefined ? known : [name];
      log.info({ targets: names, by }, 'backup asked from Telegram');
      // a backup takes minutes: the poller goes on answering, and stop() waits for it
      track(
        (async () => {
          for (const target of names) {
            const started = clock.now();
            let line: string;
            try {
              const outcome = await backups.run(target, { label: `by ${by} from Telegram`, signal });
              const b = outcome.backup;
              line = outcome.ok
                ? t.backupGood(
                    field(target, 60),
                    b.id,
                    formatSize(b.sizeBytes ?? 0),
                    formatDuration(Math.max(1000, clock.now() - started)),
                    field(path.basename(b.file), 120),
                  )
                : t.backupFailed(field(target, 60), field(outcome.detail, 600));
            } catch (err) {
              line = t.backupFailed(field(target, 60), field(describeError(err), 600));
            }
            await telegram.reply(place, line, { replyTo: place.messageId });
          }
        })(),
      );
      return Promise.resolve(t.backupStarted(field(names.join(', '), 300)));
    },

    logs: async ([name, count, ...extra], _place, _by, signal) => {
      const lines = count === undefined ? 20 : Number(count);
      if (!name || extra.length > 0 || !Number.isInteger(lines) || lines < 1) return t.usage(usage.logs);
      const service = Object.hasOwn(config.services, name) ? config.services[name]! : null;
      if (!service) return t.unknownService(field(name, 60), field(serviceNames(), 300));
      const wanted = Math.min(lines, maxLogLines);
      const logs = await readServiceLogs(service, wanted, options.pm2, signal);
      if (!logs.ok) return t.noLogs(field(name, 60), field(logs.why, 300));
      const titles = logs.files.map((f) => t.logsTitle(field(name, 60), wanted, field(f.file, 120)));
      const fixed = titles.join('\n').length + logs.files.length * '\n<pre></pre>\n'.length;
      const budget = Math.floor((telegramLimit - fixed - 16) / logs.files.length);
      return logs.files
        .map((f, i) => `${titles[i]}\n<pre>${escapedTail(options.scrub(f.text), budget, wanted)}</pre>`)
        .join('\n');
    },

    help: () => Promise.resolve(t.help),
  };

  /**
   * Which host's service `/restart` means: this host's when it names this host or has the service
   * (host null); another host when named, or when exactly one other live host has the service.
   */
  async function resolveRestartTarget(
    text: string,
  ): Promise<{ host: string | null; name: string } | { answer: string }> {
    const { host, service: name } = splitRestartTarget(text);
    if (host !== null && (host === '' || name === '')) return { answer: t.usage(usage.restart) };
    const remote = options.remote;
    const unknown = async (): Promise<{ answer: string }> => {
      const others = remote ? await remote.knownHosts() : [];
      const local = serviceNames();
      const elsewhere = others.length > 0 ? `${local}; other hosts: ${others.join(', ')} (HOST/SERVICE)` : local;
      return { answer: t.unknownService(field(name, 60), field(elsewhere, 300)) };
    };
    if (host === null || host === config.host) {
      if (Object.hasOwn(config.services, name)) return { host: null, name };
      if (host !== null || !remote) return unknown();
      const hosts = await remote.liveHostsWith(name);
      if (hosts.length === 1) return { host: hosts[0]!, name };
      if (hosts.length > 1)
        return {
          answer: t.restartAmbiguous(
            field(name, 60),
            field(hosts.join(', '), 300),
            field(`/restart ${hosts[0]!}/${name}`, 120),
          ),
        };
      return unknown();
    }
    const known = remote ? await remote.knownHosts() : [];
    if (!known.includes(host))
      return { answer: t.unknownHost(field(host, 60), field([config.host, ...known].join(', '), 300)) };
    if (!/^[\w.-]+$/.test(name)) return { answer: t.unknownService(field(name, 60), field(serviceNames(), 300)) };
    return { host, name };
  }

  return {
    /** What setMyCommands registers, in the configured locale. */
    list: () => commandNames.map((name) => ({ command: name, description: t.commands[name] })),

    /** Waits for commands still running in the background (a /backup). */
    async drain(): Promise<void> {
      await Promise.allSettled([...inFlight]);
    },

    setUsername(name: string): void {
      username = name;
    },

    async handle(message: Message, signal: AbortSignal): Promise<void> {
      const command = typeof message.text === 'string' ? parseCommand(message.text) : null;
      if (!command) return;
      // Telegram's own command matching ignores the @addressee; a group may hold several bots
      if (command.addressee !== null && command.addressee.toLowerCase() !== username.toLowerCase()) return;
      const place: Place & { messageId: number } = {
        chatId: message.chat.id,
        thread: message.is_topic_message ? message.message_thread_id : undefined,
        messageId: message.message_id,
      };
      const from = message.from;
      if (!access.allows(from?.id, message.chat.id)) {
        if (
          access.refused({
            userId: from?.id,
            username: from?.username,
            chatId: message.chat.id,
            what: `/${command.name}`,
          })
        )
          await telegram.reply(place, t.refused, { replyTo: message.message_id });
        return;
      }
      const by = displayName(from!);
      const handler = (commandNames as string[]).includes(command.name) ? handlers[command.name as CommandName] : null;
      if (!handler) {
        await telegram.reply(place, t.unknownCommand(field(command.name, 32)), { replyTo: message.message_id });
        return;
      }
      log.info({ command: command.name, by, chatId: String(message.chat.id) }, 'bot command');
      let answer: string;
      try {
        answer = await handler(command.args, place, by, signal);
      } catch (err) {
        log.error({ err, command: command.name, by }, 'bot command failed');
        answer = t.failed;
      }
      if (answer !== '') await telegram.reply(place, answer, { replyTo: message.message_id });
    },
  };
}

/** The same targets `warden silence` accepts: a service, backup target, topic, incident key, or `all`. */
function isSilenceTarget(config: Config, target: string): boolean {
  if (target === silenceAll) return true;
  if (Object.hasOwn(config.services, target) || Object.hasOwn(config.backups.targets, target)) return true;
  return isTopic(target.split(':')[0] ?? '');
}

export type Commands = ReturnType<typeof createCommands>;
