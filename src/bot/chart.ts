import fs from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import type { DigestData } from './digest-data.ts';

/** DejaVu ships with Debian's fonts-dejavu-core; resvg needs a font file for any text. */
const fontCandidates = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
];

const width = 900;
const labelWidth = 180;
const cell = (width - labelWidth - 60) / 24;
const rowHeight = 18;
const maxRows = 40;
const diskHeight = 200;
const palette = ['#1565c0', '#6a1b9a', '#00838f', '#ef6c00', '#5d4037', '#c2185b'];

/**
 * The digest chart as an SVG: availability per service per hour over the last 24 h (a heat strip,
 * the worst services first) and disk use per path over 7 days. Labels stay ASCII: the font warden
 * can count on has no Hangul.
 */
export function digestChartSvg(data: DigestData, timezone: string, warnRatio: number, criticalRatio: number): string {
  const services = [...data.services].sort((a, b) => a.availability - b.availability || a.name.localeCompare(b.name));
  const shown = services.slice(0, maxRows);
  const heatTop = 50;
  const heatBottom = heatTop + Math.max(1, shown.length) * rowHeight;
  const diskTop = heatBottom + 70;
  const height = diskTop + diskHeight + 50;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    text(15, 28, 'Availability per service, last 24 h (hourly)', 15, 'bold'),
  );
  if (shown.length === 0) out.push(text(labelWidth, heatTop + 13, 'no services configured'));
  shown.forEach((service, row) => {
    const y = heatTop + row * rowHeight;
    out.push(text(labelWidth - 8, y + 13, clip(service.name, 24), 12, 'normal', 'end'));
    service.hourly.forEach((ratio, hour) => {
      out.push(
        `<rect x="${(labelWidth + hour * cell).toFixed(1)}" y="${y + 1}" width="${(cell - 1).toFixed(1)}" height="${rowHeight - 2}" fill="${heat(ratio)}"/>`,
      );
    });
    out.push(text(width - 8, y + 13, `${(service.availability * 100).toFixed(1)}%`, 11, 'normal', 'end'));
  });
  if (services.length > shown.length)
    out.push(text(labelWidth, heatBottom + 14, `+${services.length - shown.length} more services`, 11));
  for (let hour = 0; hour < 24; hour += 3) {
    const at = data.at - (24 - hour) * 3_600_000;
    out.push(text(labelWidth + hour * cell, heatBottom + 30, localHour(at, timezone), 11));
  }

  out.push(text(15, diskTop - 18, 'Disk use, last 7 days', 15, 'bold'));
  const plotLeft = 60;
  const plotRight = width - 30;
  const y = (ratio: number): number => diskTop + diskHeight - ratio * diskHeight;
  const from = data.at - 7 * 86_400_000;
  const x = (at: number): number => plotLeft + ((at - from) / (data.at - from)) * (plotRight - plotLeft);
  out.push(
    `<rect x="${plotLeft}" y="${diskTop}" width="${plotRight - plotLeft}" height="${diskHeight}" fill="none" stroke="#bbbbbb"/>`,
  );
  for (const ratio of [0, 0.25, 0.5, 0.75, 1])
    out.push(text(plotLeft - 6, y(ratio) + 4, `${ratio * 100}%`, 11, 'normal', 'end'));
  for (const [ratio, colour] of [
    [warnRatio, '#ef6c00'],
    [criticalRatio, '#c62828'],
  ] as const)
    out.push(
      `<line x1="${plotLeft}" x2="${plotRight}" y1="${y(ratio).toFixed(1)}" y2="${y(ratio).toFixed(1)}" stroke="${colour}" stroke-dasharray="6 4"/>`,
    );
  for (let day = 0; day <= 7; day++) {
    const at = from + day * 86_400_000;
    out.push(text(x(at), diskTop + diskHeight + 18, localDay(at, timezone), 11, 'normal', 'middle'));
  }
  data.disk.forEach(({ path, samples }, i) => {
    const colour = palette[i % palette.length]!;
    const points = samples.map((s) => `${x(s.at).toFixed(1)},${y(s.usedRatio).toFixed(1)}`);
    if (points.length > 1)
      out.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    for (const s of samples)
      out.push(`<circle cx="${x(s.at).toFixed(1)}" cy="${y(s.usedRatio).toFixed(1)}" r="3" fill="${colour}"/>`);
    out.push(text(plotLeft + 10 + i * 150, diskTop + diskHeight + 40, clip(path, 20), 11, 'normal', 'start', colour));
  });
  out.push('</svg>');
  return out.join('\n');
}

/** The chart as PNG bytes, rendered in-process (no browser). Throws when it cannot be rendered. */
export function renderChartPng(svg: string): Uint8Array {
  const fontFiles = fontCandidates.filter((f) => fs.existsSync(f));
  const resvg = new Resvg(svg, {
    font: { fontFiles, loadSystemFonts: fontFiles.length === 0, defaultFontFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}

function heat(ratio: number): string {
  if (ratio >= 0.999) return '#2e7d32';
  if (ratio >= 0.99) return '#9ccc65';
  if (ratio >= 0.9) return '#ffa726';
  return '#c62828';
}

function text(
  x: number,
  y: number,
  value: string,
  size = 12,
  weight = 'normal',
  anchor: 'start' | 'middle' | 'end' = 'start',
  fill = '#222222',
): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-size="${size}" font-weight="${weight}" text-anchor="${anchor}" fill="${fill}">${escapeXml(value)}</text>`;
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function clip(value: string, max: number): string {
  const chars = Array.from(value);
  return chars.length <= max ? value : `${chars.slice(0, max - 1).join('')}…`;
}

function localHour(at: number, timezone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
}

function localDay(at: number, timezone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: timezone, day: 'numeric', month: 'short' }).format(at);
}
