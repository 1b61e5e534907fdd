import fs from 'node:fs';
import { escapeHtml, field } from '../alerts/render/html.ts';
import { severityMark } from '../alerts/render/incident.ts';
import type { Locale } from '../alerts/render/context.ts';
import { locales } from '../alerts/render/locales/index.ts';
import { formatClock } from '../alerts/render/time.ts';
import type { Config } from '../config/schema.ts';
import { formatSize } from '../config/units.ts';
import type { Incident } from '../incidents/types.ts';
import type { Store } from '../store/db.ts';
import { latestBackupPerTarget } from '../store/backups.ts';
import { latestCheckResults } from '../store/check-results.ts';
import { readFleet } from '../store/fleet-view.ts';
import { listUnresolvedIncidents } from '../store/incidents.ts';
import { activeSilences } from '../store/silences.ts';
import { fitLines } from './fit.ts';
import { botTexts } from './texts.ts';

/** Lines per section before "…and N more": the whole screen must stay one phone message. */
const maxServices = 40;
const maxIncidents = 15;

/** `/status`: services, open incidents (every host's), the fleet's other hosts, silences, disk and last backups. */
export async function renderStatus(config: Config, store: Store, now: number): Promise<string> {
  const t = botTexts[config.telegram.locale];
  const clock = (at: number) => formatClock(at, now, config.timezone, locales[config.telegram.locale].intl);
  const lines = [t.statusTitle(field(config.host, 64))];

  lines.push('', `<b>${t.services}</b>`);
  const latest = new Map((await latestCheckResults(store, config.host)).map((r) => [r.service, r]));
  const services = Object.values(config.services);
  for (const service of services.slice(0, maxServices)) {
    const result = latest.get(service.name);
    const mark = result ? (result.ok ? '✅' : '❌') : '⏳';
    const detail = result ? (result.ok ? '' : ` — ${field(result.detail, 80)}`) : ` — ${t.notCheckedYet}`;
    lines.push(`${mark} <code>${field(service.name, 40)}</code>${detail}`);
  }
  if (services.length > maxServices) lines.push(t.more(services.length - maxServices));

  const open = await listUnresolvedIncidents(store.db);
  lines.push('', `<b>${t.incidents}</b> (${open.length})`);
  if (open.length === 0) lines.push(t.noneOpen);
  lines.push(...open.slice(0, maxIncidents).map((i) => incidentLine(i, config.telegram.locale, now, config.host)));
  if (open.length > maxIncidents) lines.push(t.more(open.length - maxIncidents));

  const others = (await readFleet(store, now)).filter((h) => h.host !== config.host && h.host !== '');
  if (others.length > 0) {
    lines.push('', `<b>${t.fleet}</b>`);
    for (const h of others.slice(0, maxServices)) {
      const failing = h.services.filter((r) => !r.ok).length;
      const seen = h.lastSeenAt === null ? '—' : clock(h.lastSeenAt);
      lines.push(
        t.fleetHost(field(h.host, 64), escapeHtml(h.state), seen, failing, h.services.length, h.incidents.length),
      );
    }
  }

  const silences = await activeSilences(store, now);
  if (silences.length > 0) {
    lines.push('', `<b>${t.silences}</b>`);
    lines.push(...silences.slice(0, 10).map((s) => `🔕 <code>${field(s.target, 60)}</code> → ${clock(s.until)}`));
  }

  lines.push('', `<b>${t.disk}</b>`);
  for (const p of config.disk.paths) {
    const use = diskUse(p);
    lines.push(
      use
        ? `${use.ratio >= config.disk.criticalRatio ? '🔴' : use.ratio >= config.disk.warnRatio ? '🟠' : '✅'} <code>${field(p, 60)}</code> ${Math.round(use.ratio * 100)}% · ${formatSize(use.freeBytes)} free`
        : `❔ <code>${field(p, 60)}</code>`,
    );
  }

  const targets = Object.keys(config.backups.targets);
  if (targets.length > 0) {
    lines.push('', `<b>${t.backups}</b>`);
    const backups = new Map((await latestBackupPerTarget(store)).map((b) => [b.target, b]));
    for (const target of targets) {
      const b = backups.get(target);
      const mark = !b ? '⏳' : b.state === 'good' ? '✅' : b.state === 'failed' ? '❌' : '🔄';
      const when = b ? ` ${clock(b.finishedAt ?? b.startedAt)}` : '';
      const size = b?.sizeBytes != null ? ` (${formatSize(b.sizeBytes)})` : '';
      lines.push(`${mark} <code>${field(target, 40)}</code> ${escapeHtml(b?.state ?? '—')}${when}${size}`);
    }
  }
  return fitLines(lines, t.more);
}

/** `🔴 #12 <code>service-down:api</code> · 5m · 👀` — one incident in a list; another host's says whose. */
export function incidentLine(incident: Incident, locale: Locale, now: number, host?: string): string {
  const t = locales[locale];
  const acked = incident.state === 'acknowledged' ? ' · 👀' : '';
  const where = incident.host && host !== undefined && incident.host !== host ? ` @${field(incident.host, 40)}` : '';
  return `${severityMark[incident.severity]} #${incident.id} <code>${field(incident.key, 80)}</code>${where} · ${t.duration(Math.max(0, now - incident.openedAt))}${acked}`;
}

/** Used share of the filesystem holding `p`, as df reports it; null when it cannot be read. */
export function diskUse(p: string): { ratio: number; freeBytes: number } | null {
  try {
    const s = fs.statfsSync(p);
    const used = (s.blocks - s.bfree) * s.bsize;
    const free = s.bavail * s.bsize;
    return used + free > 0 ? { ratio: used / (used + free), freeBytes: free } : null;
  } catch {
    return null;
  }
}
