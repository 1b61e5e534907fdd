/** A point of a disk's history: when, and how many bytes were used. */
export interface FillPoint {
  at: number;
  usedBytes: number;
}

/**
 * The fill rate in bytes per millisecond: the slope of the least-squares line through the points.
 * Null with fewer than `minPoints` or when they span no time. A single burst moves a fit over a
 * window far less than it moves the difference of two samples.
 */
export function fillRate(points: readonly FillPoint[], minPoints = 3): number | null {
  if (points.length < minPoints) return null;
  // centred on the first point: epoch milliseconds squared lose precision in a double
  const t0 = points[0]!.at;
  let sumX = 0;
  let sumY = 0;
  for (const p of points) {
    sumX += p.at - t0;
    sumY += p.usedBytes;
  }
  const meanX = sumX / points.length;
  const meanY = sumY / points.length;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    const dx = p.at - t0 - meanX;
    sxy += dx * (p.usedBytes - meanY);
    sxx += dx * dx;
  }
  return sxx > 0 ? sxy / sxx : null;
}

/**
 * When the disk fills at the current trend: milliseconds from the last point until `capacityBytes`
 * are used, or null when it is not filling.
 * @example forecastFull(points, 100e9) // 18_000_000 → "full in ~5 h"
 */
export function forecastFull(
  points: readonly FillPoint[],
  capacityBytes: number,
): { msUntilFull: number; bytesPerMs: number } | null {
  const rate = fillRate(points);
  if (rate === null || rate <= 0) return null;
  const last = points.at(-1)!;
  return { msUntilFull: Math.max(0, (capacityBytes - last.usedBytes) / rate), bytesPerMs: rate };
}
