import type { Locale } from '../context.ts';
import { en } from './en.ts';
import { ko } from './ko.ts';
import type { Texts } from './texts.ts';

/** Alert texts by `telegram.locale`; a new language is one file and one line here. */
export const locales: Record<Locale, Texts> = { en, ko };
