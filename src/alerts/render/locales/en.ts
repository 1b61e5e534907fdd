import { formatDuration } from '../../../config/units.ts';
import { isTopic, topics } from '../../../incidents/topics.ts';
import type { Texts } from './texts.ts';

export const en: Texts = {
  intl: 'en-GB',
  severity: { critical: 'CRITICAL', warning: 'WARNING', info: 'INFO' },
  topicTitle: (topic) => topics[topic].title,
  // a topic from a newer warden (an outbox row written before a downgrade) has no step here
  firstStep: (topic) => (isTopic(topic) ? topics[topic].firstStep : undefined),
  duration: (ms) => (ms < 1000 ? '&lt;1s' : formatDuration(ms)),
  onHost: (host) => `on <b>${host}</b>`,
  since: (time, ago) => `since ${time} (${ago} ago)`,
  seen: (count) => `seen ${count}×`,
  crashedAgain: (count, first, last) => `crashed ${count}× since ${first}, last ${last}`,
  restarted: (count, failed, lastAt) =>
    `restarted ${count}× — last at ${lastAt}${failed > 0 ? ` (${failed} failed)` : ''}`,
  stoppedByOperator: (at, subject, restartIn) =>
    `stopped with pm2 at ${at} by an operator${
      restartIn === undefined
        ? ''
        : restartIn === null
          ? '; warden will not restart it (restart strategy none)'
          : `; warden will restart it in ${restartIn} unless you <code>warden silence ${subject}</code>`
    }`,
  otherAction: (detail, count, lastAt) => `${detail}${count > 1 ? ` (${count}×, last at ${lastAt})` : ` at ${lastAt}`}`,
  escalated: (title, subject) => `🔺 Now: <b>${title}</b>${subject ? ` · ${subject}` : ''}`,
  resolvedAfter: (duration) => `✅ <b>Resolved</b> after ${duration}`,
  acknowledged: (by, at) => `👀 <b>Acknowledged</b>${by ? ` by ${by}` : ''} at ${at}`,
  firstStepLabel: 'First step',
  runbookButton: '📖 Runbook',
  runbookLink: (topic) => `Runbook: ${topic}`,
  runbooks: 'Runbooks',
  resolvedReply: (title, subject, duration) =>
    `✅ Resolved: <b>${title}</b>${subject ? ` · ${subject}` : ''} after ${duration}`,
  resolvedByItself: 'It recovered by itself within a minute; warden took no action. Worth a look if it repeats.',
  reminder: (title, subject, duration) =>
    `⏰ Still open after ${duration}, not acknowledged: <b>${title}</b>${subject ? ` · ${subject}` : ''}`,
  stormOpened: (count, host) => `🚨 <b>${count} incidents</b> opened on <b>${host}</b>`,
  stormResolved: (count, host) => `✅ <b>${count} incidents resolved</b> on <b>${host}</b>`,
  stormReminder: (count, host) => `⏰ <b>${count} incidents</b> still open and not acknowledged on <b>${host}</b>`,
  stormProgress: (resolved, total) => `${resolved} of ${total} resolved`,
  more: (count) => `…and ${count} more`,
  testTitle: '🧪 <b>Test alert</b>',
  testBody: (host, chat) => `warden on <b>${host}</b> can reach chat <code>${chat}</code>. No action needed.`,
  sentAt: (time) => `Sent at ${time}.`,
  resent: '↻ <i>sent again: warden restarted while sending</i>',
};
