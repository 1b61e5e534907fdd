import { activeSilences } from '../../store/silences.ts';
import type { StatusSection } from './types.ts';

export const silencesStatus: StatusSection = {
  key: 'silences',
  title: 'Silences',
  async read({ store, now }) {
    const silences = (await activeSilences(store, now)).map((s) => ({
      target: s.target,
      until: new Date(s.until).toISOString(),
      reason: s.reason,
    }));
    const lines = silences.map((s) => `${s.target.padEnd(20)} until ${s.until}${s.reason ? ` — ${s.reason}` : ''}`);
    return { json: silences, lines: lines.length > 0 ? lines : ['none'] };
  },
};
