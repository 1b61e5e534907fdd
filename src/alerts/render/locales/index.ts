import { isTopic } from '../../../incidents/topics.ts';
import type { Locale } from '../context.ts';
import { en } from './en.ts';
import { ko } from './ko.ts';
import type { Texts } from './texts.ts';

/** Alert texts by `telegram.locale`; a new language is one file and one line here. */
export const locales: Record<Locale, Texts> = { en: withUnknownTopics(en), ko: withUnknownTopics(ko) };

/** A topic this version does not know (a row written by a newer warden, then downgraded) shows its name. */
function withUnknownTopics(texts: Texts): Texts {
  return { ...texts, topicTitle: (topic) => (isTopic(topic) ? texts.topicTitle(topic) : String(topic)) };
}
