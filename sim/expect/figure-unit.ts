/**
 * Which figures, histograms and series hold seconds, judged by name as figures.ts and the metrics
 * layer name them. An assertion on one of these must say its unit (`200ms`), because a bare `200`
 * would silently mean 200 seconds — the hole of issue 16 (`p99(request_latency) < 200` passed).
 */

/** Histograms recorded in seconds (sim/model: request_latency, app_pause, ws_session_duration, …). */
const SECONDS_NAME = /(_s|latency|lifetime|age|duration|pause)$/;

/** `drain.<backend>.<x>` figures in seconds (figures.ts: from DrainRecord's times). */
const DRAIN_SECONDS = new Set(['started_at', 'completed_within', 'ws_avg_age_at_start']);

/** Whether a figure, histogram or series name holds seconds; a rate (`peak_per_s`) does not. */
export function holdsSeconds(name: string): boolean {
  const last = name.slice(name.lastIndexOf('.') + 1);
  if (last.endsWith('_per_s') || last === 'count') return false;
  if (name.startsWith('drain.') && DRAIN_SECONDS.has(last)) return true;
  // A histogram figure `request_latency.p99` is in seconds because its histogram is.
  const parts = name.split('.');
  const histogram = parts.length >= 2 && ['p50', 'p95', 'p99', 'max', 'mean'].includes(last) ? parts.at(-2)! : last;
  return SECONDS_NAME.test(histogram);
}
