/**
 * Min/max decimation of a long timeline for the charts of report.html: past DECIMATE_ABOVE samples
 * the samples are cut into at most MAX_BUCKETS runs of `samplesPerBucket` each, and every bucket
 * becomes two points — at its first and its last sample time — holding the smallest and the largest
 * value of each series in the order they occurred. A one-sample spike (a reset storm) and every
 * trough survive exactly; only where inside its bucket it happened is lost (at most one bucket's
 * width). A day at 1 s samples is 86,400 points per series otherwise: megabytes of JSON per chart
 * and a page a browser draws slowly. timeline.csv keeps every sample.
 */

/** Up to this many samples a chart gets every one of them. */
export const DECIMATE_ABOVE = 4_000;
/** At most this many buckets (two points each) once decimated. */
export const MAX_BUCKETS = 2_000;

/** Samples per bucket for a timeline of `samples` samples: 1 (every sample kept) up to DECIMATE_ABOVE. */
export function samplesPerBucket(samples: number): number {
  return samples <= DECIMATE_ABOVE ? 1 : Math.ceil(samples / MAX_BUCKETS);
}

/** The sample indices each output point is drawn at: a bucket's first and last sample (one point
 *  for a bucket of one sample). */
export function decimateTimes(t: readonly number[], perBucket: number): number[] {
  if (perBucket <= 1) return [...t];
  const out: number[] = [];
  for (let from = 0; from < t.length; from += perBucket) {
    const to = Math.min(t.length, from + perBucket) - 1;
    out.push(t[from]!);
    if (to > from) out.push(t[to]!);
  }
  return out;
}

/**
 * One series, bucket by bucket as decimateTimes() places them: the smallest and the largest value
 * of the bucket, the one that came first first. Nulls (no value) are skipped; a bucket of nulls
 * stays null.
 */
export function decimateValues(values: readonly (number | null)[], perBucket: number): (number | null)[] {
  if (perBucket <= 1) return [...values];
  const out: (number | null)[] = [];
  for (let from = 0; from < values.length; from += perBucket) {
    const to = Math.min(values.length, from + perBucket) - 1;
    if (to === from) {
      out.push(values[from] ?? null);
      continue;
    }
    let min: number | null = null;
    let max: number | null = null;
    let minAt = 0;
    let maxAt = 0;
    for (let i = from; i <= to; i++) {
      const v = values[i];
      if (v === null || v === undefined) continue;
      if (min === null || v < min) {
        min = v;
        minAt = i;
      }
      if (max === null || v > max) {
        max = v;
        maxAt = i;
      }
    }
    if (minAt <= maxAt) out.push(min, max);
    else out.push(max, min);
  }
  return out;
}
