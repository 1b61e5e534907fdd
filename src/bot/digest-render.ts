import { escapeHtml, field } from '../alerts/render/html.ts';
import type { Locale } from '../alerts/render/context.ts';
import { locales } from '../alerts/render/locales/index.ts';
import { formatClock } from '../alerts/render/time.ts';
import { formatSize } from '../config/units.ts';
import type { DigestData } from './digest-data.ts';
import { fitLines } from './fit.ts';
import { incidentLine } from './status.ts';
import { botTexts } from './texts.ts';

const maxListed = 10;

/** The digest text: one phone screen, within Telegram's 4096 characters whatever the day held. */
export function renderDigest(data: DigestData, host: string, locale: Locale, timezone: string): string {
  const t = botTexts[locale];
  const intl = locales[locale].intl;
  const day = new Intl.DateTimeFormat(intl, {
    timeZone: timezone,
    day: 'numeric',
    month: 'short',
    year: 'numeric',
  }).format(data.at);
  const lines = [t.digestTitle(field(host, 64), escapeHtml(day))];
  const quiet = data.opened.length === 0 && data.stillOpen.length === 0;
  if (quiet) lines.push(t.digestAllWell);
  else {
    lines.push(t.digestOpened(data.opened.length, data.resolved.length, data.stillOpen.length));
    const listed = [...data.stillOpen, ...data.opened.filter((i) => i.state === 'resolved')];
    lines.push(...listed.slice(0, maxListed).map((i) => incidentLine(i, locale, data.at)));
    if (listed.length > maxListed) lines.push(t.more(listed.length - maxListed));
  }
  lines.push(t.digestRestarts(data.restarts));

  if (data.services.length > 0) {
    lines.push('', `<b>${t.digestAvailability}</b>`);
    // the worst first: a phone shows the top of the list
    const sorted = [...data.services].sort((a, b) => a.availability - b.availability || a.name.localeCompare(b.name));
    lines.push(
      ...sorted.map(
        (s) =>
          `${s.availability >= 0.999 ? '✅' : s.availability >= 0.99 ? '🟠' : '🔴'} <code>${field(s.name, 40)}</code> ${percent(s.availability)}`,
      ),
    );
  }
  if (data.backups.length > 0) {
    lines.push('', `<b>${t.digestBackups}</b>`);
    for (const { target, latest } of data.backups) {
      const mark = !latest ? '⏳' : latest.state === 'good' ? '✅' : latest.state === 'failed' ? '❌' : '🟠';
      const detail = latest
        ? `${latest.state === 'good' ? t.digestVerified : escapeHtml(latest.state)} ${formatClock(latest.finishedAt ?? latest.startedAt, data.at, timezone, intl)}${latest.sizeBytes !== null ? ` · ${formatSize(latest.sizeBytes)}` : ''}`
        : '—';
      lines.push(`${mark} <code>${field(target, 40)}</code> ${detail}`);
    }
  }
  if (data.disk.some((d) => d.samples.length > 0)) {
    lines.push('', `<b>${t.digestDisk}</b>`);
    for (const { path, samples } of data.disk) {
      const now = samples.at(-1);
      if (!now) continue;
      const change = now.usedRatio - samples[0]!.usedRatio;
      const trend = samples.length > 1 ? ` (${change >= 0 ? '+' : '−'}${Math.abs(Math.round(change * 100))}%)` : '';
      lines.push(`<code>${field(path, 60)}</code> ${Math.round(now.usedRatio * 100)}%${trend}`);
    }
  }
  return fitLines(lines, t.more);
}

function percent(ratio: number): string {
  const value = Math.max(0, Math.min(1, ratio)) * 100;
  return `${value === 100 ? '100' : value.toFixed(value >= 99 ? 2 : 1)}%`;
}
