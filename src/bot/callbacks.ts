import type { CallbackQuery } from 'node-telegram-bot-api';
import { buttonSilenceMs, fittingActions, parseAlertActionData } from '../alerts/render/buttons.ts';
import { field } from '../alerts/render/html.ts';
import { locales } from '../alerts/render/locales/index.ts';
import { formatClock } from '../alerts/render/time.ts';
import { formatDuration } from '../config/units.ts';
import type { Config } from '../config/schema.ts';
import type { IncidentTracker } from '../incidents/tracker.ts';
import type { Incident } from '../incidents/types.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { Store } from '../store/db.ts';
import { getIncident } from '../store/incidents.ts';
import { addSilence } from '../store/silences.ts';
import { displayName, type Access } from './admins.ts';
import { restartCancel, restartConfirmPrefix, splitRestartTarget } from './commands.ts';
import type { RemoteOutcome, RemoteRestart } from './remote-restart.ts';
import type { ManualRestart } from './restart.ts';
import type { BotTelegram } from './telegram.ts';
import { botTexts } from './texts.ts';

export interface CallbacksOptions {
  config: Config;
  store: Store;
  clock: Clock;
  log: Logger;
  incidents: IncidentTracker;
  telegram: BotTelegram;
  access: Access;
  restart: ManualRestart;
  /** Restarts on other hosts of a fleet, through the store; null on a SQLite store (one host). */
  remote: RemoteRestart | null;
}

/**
 * Button presses: the alert actions (Ack, Silence 1h, Restart now) and the /restart confirmation.
 * The data is never trusted: the presser must be an admin in a configured chat, the incident must
 * exist and the action must fit its current state (a replay after it resolved changes nothing).
 * Every press is answered, so the phone stops its spinner; alerts are edited through the outbox by
 * the tracker change the action makes.
 */
export function createCallbacks(options: CallbacksOptions) {
  const { config, store, clock, incidents, telegram, access } = options;
  const log = options.log.child({ part: 'bot' });
  const t = botTexts[config.telegram.locale];
  const intl = locales[config.telegram.locale].intl;
  const inFlight = new Set<Promise<void>>();
  /**
   * A restart on another host runs in the background: the poller goes on answering while the host
   * works (up to twice `fleetRequestTtlMs`), and `drain()` waits for it. `failed` tells the chat
   * when the wait itself broke (the store failed, warden is stopping).
   */
  const track = (what: string, work: Promise<void>, failed: () => Promise<void>): void => {
    const tracked = work
      .catch(async (err: unknown) => {
        log.error({ err, restart: what }, 'restart on another host: no answer');
        await failed().catch(() => undefined);
      })
      .finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };
  const restartable = (name: string): boolean =>
    Object.hasOwn(config.services, name) && options.restart.refusal(config.services[name]!) === null;

  async function act(
    query: CallbackQuery,
    by: string,
    signal: AbortSignal,
  ): Promise<{ text: string; alert?: boolean }> {
    const data = query.data ?? '';
    const message = query.message;
    if (data === restartCancel && message) {
      await telegram.edit(message.chat.id, message.message_id, t.cancelled);
      return { text: t.cancelled };
    }
    if (data.startsWith(restartConfirmPrefix) && message) {
      const { host, service: name } = splitRestartTarget(data.slice(restartConfirmPrefix.length));
      if (host !== null && host !== config.host) {
        const remote = options.remote;
        if (!remote) return { text: t.answerNotApplicable, alert: true };
        const chatId = message.chat.id;
        // the buttons go at once, so a second press cannot ask twice while the host works
        await telegram.edit(chatId, message.message_id, t.restartAsking(field(name, 60), field(host, 60)));
        track(
          `${host}/${name}`,
          (async () => {
            const outcome = await remote.restart(host, name, by, signal);
            await telegram.edit(chatId, message.message_id, remoteText(outcome, host, name, by));
          })(),
          () => telegram.edit(chatId, message.message_id, t.failed).then(() => undefined),
        );
        return { text: t.answerRestartAsked };
      }
      if (!restartable(name)) return { text: t.answerNotApplicable, alert: true };
      const result = await options.restart.restart(config.services[name]!, by, signal);
      const at = formatClock(clock.now(), clock.now(), config.timezone, intl);
      const text = result.ok
        ? t.restarted(field(name, 60), field(result.detail, 200), field(by, 64), at)
        : t.restartFailed(field(name, 60), field(result.detail, 300), field(by, 64), at);
      await telegram.edit(message.chat.id, message.message_id, text);
      return { text: result.ok ? t.answerRestarted : t.answerRestartFailed, alert: !result.ok };
    }
    const parsed = parseAlertActionData(data);
    const incident = parsed ? await getIncident(store.db, parsed.incidentId) : null;
    if (!parsed || !incident) {
      log.warn({ data: data.slice(0, 64), by }, 'bot button refused: unknown action or incident');
      return { text: t.answerUnknown, alert: true };
    }
    const ref = `#${incident.id}`;
    if (incident.state === 'resolved') return { text: t.alreadyResolved(ref) };
    // another host's incident: that host's config decides whether it can restart, and refuses if not
    const owner = incident.host ?? '';
    const elsewhere = owner !== '' && owner !== config.host && options.remote ? options.remote : null;
    if (!fittingActions(incident, elsewhere ? () => true : restartable).includes(parsed.action)) {
      if (parsed.action === 'ack' && incident.state === 'acknowledged')
        return { text: plain(t.alreadyAcknowledged(ref, incident.acknowledgedBy)) };
      log.warn(
        { key: incident.key, action: parsed.action, by },
        'bot button refused: action does not fit the incident',
      );
      return { text: t.answerNotApplicable, alert: true };
    }
    switch (parsed.action) {
      case 'ack':
        return (await incidents.acknowledge(incident.id, by))
          ? { text: t.answerAcknowledged }
          : { text: plain(t.noSuchIncident(ref)) };
      case 'silence':
        await silence(incident, by);
        return { text: t.answerSilenced };
      case 'restart': {
        if (elsewhere) {
          const place = message && {
            chatId: message.chat.id,
            thread: 'is_topic_message' in message && message.is_topic_message ? message.message_thread_id : undefined,
          };
          const say = async (text: string): Promise<void> => {
            if (place && message) await telegram.reply(place, text, { replyTo: message.message_id });
          };
          track(
            `${owner}/${incident.subject}`,
            (async () => {
              const outcome = await elsewhere.restart(owner, incident.subject, by, signal);
              // done or failed, the host recorded it on its incident and the alert is edited; otherwise
              // nothing changes on the alert, so the chat hears why
              if (outcome.kind !== 'done') await say(remoteText(outcome, owner, incident.subject, by));
            })(),
            () => say(t.failed),
          );
          return { text: t.answerRestartAsked };
        }
        const result = await options.restart.restart(config.services[incident.subject]!, by, signal);
        return result.ok ? { text: t.answerRestarted } : { text: t.answerRestartFailed, alert: true };
      }
    }
  }

  function remoteText(outcome: RemoteOutcome, host: string, name: string, by: string): string {
    const shown = field(`${host}/${name}`, 120);
    const at = formatClock(clock.now(), clock.now(), config.timezone, intl);
    switch (outcome.kind) {
      case 'done':
        return outcome.ok
          ? t.restarted(shown, field(outcome.detail, 200), field(by, 64), at)
          : t.restartFailed(shown, field(outcome.detail, 300), field(by, 64), at);
      case 'not-taken':
        return t.restartNotTaken(field(name, 60), field(host, 60), formatDuration(outcome.waitedMs));
      case 'no-result':
        return t.restartNoResult(field(name, 60), field(host, 60), formatDuration(outcome.waitedMs));
    }
  }

  /** The incident's own key, so only its alerts go quiet; other incidents of the service still ring. */
  async function silence(incident: Incident, by: string): Promise<void> {
    const now = clock.now();
    await addSilence(store, {
      target: incident.key,
      until: now + buttonSilenceMs,
      reason: `by ${by} from Telegram`,
      at: now,
    });
    log.info({ key: incident.key, by }, 'silenced from Telegram');
    await incidents.recordAction(incident.key, { kind: 'silence', ok: true, detail: `silenced 1h by ${by}` });
  }

  return {
    /** Waits for restarts on other hosts still waiting for their outcome. */
    async drain(): Promise<void> {
      await Promise.allSettled([...inFlight]);
    },

    async handle(query: CallbackQuery, signal: AbortSignal): Promise<void> {
      const chatId = query.message?.chat.id;
      let reply: { text: string; alert?: boolean } = { text: t.failed, alert: true };
      try {
        if (chatId === undefined || !access.allows(query.from.id, chatId)) {
          access.refused({
            userId: query.from.id,
            username: query.from.username,
            chatId: chatId ?? 'inline',
            what: 'button',
          });
          reply = { text: t.refusedButton, alert: true };
          return;
        }
        const by = displayName(query.from);
        log.info({ data: (query.data ?? '').slice(0, 64), by, chatId: String(chatId) }, 'bot button pressed');
        reply = await act(query, by, signal);
      } catch (err) {
        log.error({ err }, 'bot button failed');
      } finally {
        await telegram.answer(query.id, reply.text.slice(0, 200), reply.alert);
      }
    },
  };
}

/** Callback answers are plain text: drop the tags the shared texts carry. */
function plain(html: string): string {
  return html.replace(/<[^>]+>/g, '');
}
