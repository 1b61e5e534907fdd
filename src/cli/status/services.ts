import { latestCheckResults } from '../../store/check-results.ts';
import type { StatusSection } from './types.ts';

export const servicesStatus: StatusSection = {
  key: 'services',
  title: 'Services',
  async read({ store, config }) {
    const latest = new Map((await latestCheckResults(store, config.host)).map((r) => [r.service, r]));
    const services = Object.values(config.services).map((s) => {
      const result = latest.get(s.name);
      return {
        name: s.name,
        check: s.check.kind,
        state: result ? (result.ok ? 'healthy' : 'failing') : 'not checked yet',
        detail: result?.detail ?? null,
        checkedAt: result ? new Date(result.at).toISOString() : null,
      };
    });
    const lines = services.map((s) => `${s.name.padEnd(20)} ${s.state}${s.detail ? ` — ${s.detail}` : ''}`);
    return { json: services, lines: lines.length > 0 ? lines : ['no services configured'] };
  },
};
