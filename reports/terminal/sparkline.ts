/** Sparklines for the terminal summary: one character per column, scaled to the series' own max. */

const BARS = '▁▂▃▄▅▆▇█';

/**
 * The largest of `values`, or `floor` when none is larger. A loop, not `Math.max(...values)`:
 * spreading passes every sample as an argument on the stack, which overflows ("Maximum call stack
 * size exceeded") past ~125,000 samples — a 35 h run at 1 s samples.
 */
export function maxValue(values: ArrayLike<number>, floor = -Infinity): number {
  let max = floor;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    // NaN wins and +0 beats −0, as in Math.max.
    if (v > max || Number.isNaN(v) || (v === 0 && Object.is(max, -0))) max = v;
  }
  return max;
}

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
  const max = maxValue(points, 0);
  return points
    .map((v) => {
      if (!(v > 0) || max === 0) return BARS[0];
      return BARS[Math.min(BARS.length - 1, Math.max(1, Math.ceil((v / max) * (BARS.length - 1))))];
    })
    .join('');
}
