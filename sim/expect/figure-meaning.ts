/**
 * Which way is better for a figure, from what it counts: fewer errors, resets, removals, lost
 * sessions and a shorter drain are better; more goodput and 2xx responses are better; for load and
 * traffic shape (requests, new connections, active connections) neither is. `compare` states
 * better/worse from this instead of calling every change a failure (issue 16).
 */
export type Better = 'lower' | 'higher' | 'neither';

/** Series (and histograms) where less is better: failures, cuts, churn, waiting. */
const LOWER_IS_BETTER = new Set([
  'errors',
  'requests_failed',
  'req_failed',
  'req_5xx',
  'req_timeouts',
  'responses_5xx',
  'reset_out',
  'reset_in',
  'removals',
  'restarts',
  'sessions_lost',
  'ws_close_1006',
  'ws_moved_again',
  'syn_drops',
  'tw_overflow',
  'retries',
  'wasted',
  'check_failures',
  'pauses',
  'app_pause',
  'app_queue',
  'request_latency',
  'open_loop_latency',
  'connect_latency',
]);

/** Series whose total is traffic's shape but whose per-second peak is a storm (ws-stall's 1,234/s). */
const STORMS = new Set(['reconnects', 'new_conn', 'upstream_connects']);

const HIGHER_IS_BETTER = new Set(['goodput', 'responses_2xx', 'ws_close_1000']);

/** `drain.<backend>.<x>` figures: a drain that ends sooner, on time and empty is better. */
const DRAIN_LOWER = new Set(['completed_within', 'timed_out', 'active_at_end']);

export function betterDirection(figure: string): Better {
  const parts = figure.split('.');
  const last = parts.at(-1)!;
  if (parts[0] === 'drain') return DRAIN_LOWER.has(last) ? 'lower' : 'neither';
  // `<histogram>.count` counts samples (load), not how good they were.
  if (last === 'count') return 'neither';
  const series = parts.length >= 2 ? parts.at(-2)! : last;
  // Clients reconnect anyway; a storm of them (the peak) is what hurts.
  if (STORMS.has(series)) return last === 'peak_per_s' ? 'lower' : 'neither';
  if (LOWER_IS_BETTER.has(series) || series.startsWith('err_')) return 'lower';
  if (HIGHER_IS_BETTER.has(series)) return 'higher';
  return 'neither';
}

/**
 * Whether moving from base to candidate is better, worse or neither. A figure with no value is a
 * drain that never completed: worse than any completion time.
 */
export function judgeChange(
  figure: string,
  base: number | null,
  candidate: number | null,
): 'better' | 'worse' | 'changed' {
  const dir = betterDirection(figure);
  if (dir === 'neither') return 'changed';
  const b = base ?? (dir === 'lower' ? Infinity : -Infinity);
  const c = candidate ?? (dir === 'lower' ? Infinity : -Infinity);
  if (b === c) return 'changed';
  return c < b === (dir === 'lower') ? 'better' : 'worse';
}
