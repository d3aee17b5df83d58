/** Sparklines for the terminal summary: one character per column, scaled to the series' own max. */

const BARS = '▁▂▃▄▅▆▇█';

/**
 * Shrinks a series to at most `width` points, each the max of its bucket, so a one-sample spike
 * (a reset storm, an error burst) survives downsampling instead of being averaged away.
 */
export function downsampleMax(values: readonly number[], width: number): number[] {
  if (values.length <= width) return [...values];
  const out: number[] = [];
  for (let i = 0; i < width; i++) {
    const from = Math.floor((i * values.length) / width);
    const to = Math.floor(((i + 1) * values.length) / width);
    let max = -Infinity;
    for (let j = from; j < to; j++) max = Math.max(max, values[j] as number);
    out.push(max);
  }
  return out;
}

/** Zero (and below) draws the lowest bar; any positive value at least the second, so it stays visible. */
export function sparkline(values: readonly number[], width: number): string {
  const points = downsampleMax(values, Math.max(1, width));
  const max = Math.max(0, ...points);
  return points
    .map((v) => {
      if (!(v > 0) || max === 0) return BARS[0];
      return BARS[Math.min(BARS.length - 1, Math.max(1, Math.ceil((v / max) * (BARS.length - 1))))];
    })
    .join('');
}
