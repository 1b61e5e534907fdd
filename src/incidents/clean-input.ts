import { cleanText } from '../lib/text.ts';
import type { IncidentTracker } from './tracker.ts';
import type { Observation } from './types.ts';

/**
 * The tracker as every watcher sees it: each text that enters (detail, excerpt, action detail, a reason given by hand) is
 * cleaned of control sequences and invalid UTF-16, and scrubbed of secrets, before anything stores,
 * logs, renders or sends it. One place, so a new way out (alert, CLI, /metrics) cannot forget it.
 */
export function cleanInput(tracker: IncidentTracker, scrub: (text: string) => string): IncidentTracker {
  const clean = (text: string): string => scrub(cleanText(text));
  const observation = <O extends Observation>(o: O): O => ({
    ...o,
    detail: clean(o.detail),
    ...(typeof o.excerpt === 'string' ? { excerpt: clean(o.excerpt) } : {}),
    ...(o.action ? { action: { ...o.action, detail: clean(o.action.detail) } } : {}),
  });
  return {
    ...tracker,
    observe: (key, reading) =>
      tracker.observe(key, reading.ok ? { ok: true, detail: clean(reading.detail) } : observation(reading)),
    report: (key, o) => tracker.report(key, observation(o)),
    resolve: (key, detail) => tracker.resolve(key, detail === undefined ? undefined : clean(detail)),
    resolveByHand: (idOrKey, by, reason) =>
      tracker.resolveByHand(idOrKey, clean(by), reason === null ? null : clean(reason)),
    recordAction: (key, action) => tracker.recordAction(key, { ...action, detail: clean(action.detail) }),
    notice: (key, o) => tracker.notice(key, observation(o)),
  };
}
