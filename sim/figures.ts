import type { Histogram } from './metrics/histogram.js';
import type { DrainRecord, RunResult, Timeline } from './result.js';

/** Series that also get per-backend figures (the ones drain and cut checks talk about). */
const PER_BACKEND = new Set([
  'active_conn',
  'time_wait',
  'ws_sessions',
  'nginx_old_generations',
  'nginx_memory',
  'nginx_memory_old',
  'reset_out',
  'errors',
  'new_conn',
  'requests_failed',
]);

/**
 * Key figures of a run, by dotted name. Counters give `<name>.total` and `<name>.peak_per_s`
 * (the busiest second; per backend, the largest sample divided by the interval); gauges give `<name>.max` and `<name>.final`;
 * the same with a `<backend>.` prefix for the series in PER_BACKEND; drains give
 * `drain.<backend>.*`; histograms give `<name>.p50/p95/p99/max/mean/count`.
 */
export function computeFigures(
  tl: Timeline,
  drains: DrainRecord[],
  histograms: Map<string, Histogram>,
  peaks: Map<string, number>,
): RunResult['figures'] {
  const figures: RunResult['figures'] = {};
  const totalIdx = tl.entities.length - 1;
  tl.series.forEach((s, si) => {
    const column = tl.values[si];
    for (let e = 0; e < tl.entities.length; e++) {
      if (e !== totalIdx && !PER_BACKEND.has(s.name)) continue;
      const prefix = e === totalIdx ? s.name : `${tl.entities[e]}.${s.name}`;
      let sum = 0;
      let max = -Infinity;
      let last = 0;
      for (let r = e; r < column.length; r += tl.entities.length) {
        const v = column[r];
        sum += v;
        if (v > max) max = v;
        last = v;
      }
      if (max === -Infinity) max = 0;
      if (s.kind === 'counter') {
        figures[`${prefix}.total`] = sum;
        // With 1 s samples the sample maximum is the per-second peak; with coarser samples the
        // metrics layer tracked the busiest second separately.
        figures[`${prefix}.peak_per_s`] = e === totalIdx && peaks.has(s.name) ? peaks.get(s.name)! : max / tl.interval;
      } else {
        figures[`${prefix}.max`] = max;
        figures[`${prefix}.final`] = last;
      }
    }
  });
  for (const d of drains) {
    const p = `drain.${d.backend}`;
    figures[`${p}.started_at`] = d.startedAt;
    figures[`${p}.active_at_start`] = d.activeAtStart;
    figures[`${p}.ws_sessions_at_start`] = d.wsSessionsAtStart;
    figures[`${p}.ws_avg_age_at_start`] = d.wsAvgAgeAtStart;
    figures[`${p}.completed_within`] = d.completedAt === null ? null : d.completedAt - d.startedAt;
    figures[`${p}.timed_out`] = d.timedOut ? 1 : 0;
    figures[`${p}.active_at_end`] = d.activeAtEnd;
  }
  for (const [name, h] of [...histograms.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const s = h.summary();
    figures[`${name}.count`] = s.count;
    figures[`${name}.mean`] = s.mean;
    figures[`${name}.p50`] = s.p50;
    figures[`${name}.p95`] = s.p95;
    figures[`${name}.p99`] = s.p99;
    figures[`${name}.max`] = s.max;
  }
  return figures;
}
