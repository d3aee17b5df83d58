/**
 * One line of numbers under each phase: what the clients and the network felt between two actions
 * (counters summed over the phase, from the total row) and where the main gauges went.
 */
import { formatNumber } from '../../reports/terminal/format.js';
import type { Phase } from './phases.js';
import type { RunFacts } from './run-facts.js';

/** Counters worth a mention when non-zero, in the order they are told; `peak` where bursts matter. */
const COUNTERS: readonly { series: string; words: string; peak?: boolean }[] = [
  { series: 'reset_out', words: 'RSTs to clients', peak: true },
  { series: 'errors', words: 'client errors' },
  { series: 'requests_failed', words: 'requests failed after every retry' },
  { series: 'upstream_eaddrnotavail', words: "nginx's connects to the app failed with EADDRNOTAVAIL" },
  { series: 'lb_eaddrnotavail', words: "the balancer's connects to backends failed with EADDRNOTAVAIL" },
  { series: 'ws_close_1006', words: 'WebSocket sessions lost without a Close frame (1006)' },
  { series: 'ws_close_1001', words: 'sessions closed with 1001 Going Away' },
  { series: 'reconnects', words: 'reconnect attempts', peak: true },
  { series: 'syn_drops', words: 'SYNs dropped by a full accept queue' },
  { series: 'tw_overflow', words: 'closes that skipped TIME_WAIT' },
];

const GAUGES: readonly [series: string, words: string][] = [
  ['active_conn', 'active connections'],
  ['ws_sessions', 'WebSocket sessions'],
  ['time_wait', 'TIME_WAIT sockets'],
];

/** The strerror() words of an errno a reader may not know by name. */
const ERRNO_WORDS: Readonly<Record<string, string>> = { err_ehostunreach: 'No route to host' };
/** Error kinds that are no errno, by name: the client's own timer is not the kernel's ETIMEDOUT. */
const KIND_NAMES: Readonly<Record<string, string>> = {
  responses_5xx: 'HTTP 5xx',
  err_client_timeout: 'client timeout',
};

/** Error kinds behind `errors`: every err_* series plus 5xx answers. */
function errorKinds(facts: RunFacts, from: number, to: number): string {
  const kinds = facts.result.timeline.series
    .map((s) => s.name)
    .filter((name) => name.startsWith('err_') || name === 'responses_5xx')
    .map((name) => [name, facts.sum(name, 'total', from, to) ?? 0] as const)
    .filter(([, v]) => v > 0)
    .map(([name, v]) => {
      const kind = KIND_NAMES[name] ?? name.slice('err_'.length).toUpperCase();
      const words = ERRNO_WORDS[name];
      return `${kind} ${formatNumber(v)}${words === undefined ? '' : ` (${words})`}`;
    });
  return kinds.length === 0 ? '' : ` (${kinds.join(', ')})`;
}

export function phaseSummary(phase: Phase, facts: RunFacts): string {
  const horizon = facts.result.horizon;
  // The last phase includes the sample at the horizon.
  const to = phase.to >= horizon ? Infinity : phase.to;
  const parts: string[] = [];
  for (const { series, words, peak } of COUNTERS) {
    const v = facts.sum(series, 'total', phase.from, to);
    if (v === null || v === 0) continue;
    const detail =
      series === 'errors'
        ? errorKinds(facts, phase.from, to)
        : peak
          ? ` (peak ${formatNumber(facts.peakPerSecond(series, 'total', phase.from, to) ?? 0)}/s)`
          : '';
    parts.push(`${formatNumber(v)} ${words}${detail}`);
  }
  if (parts.length === 0) parts.push('no resets and no client errors');
  for (const [series, words] of GAUGES) {
    const start = facts.gaugeBefore(series, 'total', phase.from);
    const end = to === Infinity ? facts.gaugeAt(series, 'total', horizon) : facts.gaugeBefore(series, 'total', to);
    if (start === null || end === null || (start === 0 && end === 0)) continue;
    parts.push(
      start === end
        ? `${words} steady at ${formatNumber(end)}`
        : `${words} ${formatNumber(start)} → ${formatNumber(end)}`,
    );
  }
  return parts.join(' · ');
}
