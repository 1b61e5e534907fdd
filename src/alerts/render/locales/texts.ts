import type { Topic } from '../../../incidents/topics.ts';
import type { Severity } from '../../../incidents/types.ts';

/**
 * The words of every alert in one language. Arguments arrive already escaped and results are HTML
 * fragments, so static text here must not contain `<`, `>` or `&`.
 * @example en.resolvedAfter('12m') // '✅ <b>Resolved</b> after 12m'
 */
export interface Texts {
  /** BCP 47 tag for dates and times. */
  intl: string;
  severity: Record<Severity, string>;
  topicTitle(topic: Topic): string;
  /** One line, plain text: `code` in backticks, `{subject}` for the incident's subject (undefined for an unknown topic). */
  firstStep(topic: Topic): string | undefined;
  duration(ms: number): string;
  onHost(host: string): string;
  since(time: string, ago: string): string;
  seen(count: number): string;
  /** A crash that happened again while its alert is open: `crashed 3× since 02:55, last 02:57`. */
  crashedAgain(count: number, first: string, last: string): string;
  restarted(count: number, failed: number, lastAt: string): string;
  otherAction(detail: string, count: number, lastAt: string): string;
  /**
   * An operator's `pm2 stop`: when warden restarts the app (`restartIn`), that it will not (null),
   * or nothing more once it did (undefined). `subject` names the service in `warden silence`.
   */
  stoppedByOperator(at: string, subject: string, restartIn: string | null | undefined): string;
  resolvedAfter(duration: string): string;
  /** The reply under an outage's page when it got worse: `🔺 Now: <b>Restarts gave up…</b> · api`. */
  escalated(title: string, subject: string): string;
  acknowledged(by: string | null, at: string): string;
  firstStepLabel: string;
  runbookButton: string;
  runbookLink(topic: string): string;
  runbooks: string;
  resolvedReply(title: string, subject: string, duration: string): string;
  /** Under the resolved reply of a critical that recovered within a minute with no action taken. */
  resolvedByItself: string;
  reminder(title: string, subject: string, duration: string): string;
  stormOpened(count: number, host: string): string;
  stormResolved(count: number, host: string): string;
  stormReminder(count: number, host: string): string;
  stormProgress(resolved: number, total: number): string;
  more(count: number): string;
  testTitle: string;
  testBody(host: string, chat: string): string;
  sentAt(time: string): string;
  /** Under a message sent again because warden died before it knew the first send's outcome. */
  resent: string;
}
