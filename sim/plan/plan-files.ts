/**
 * A plan's files for `--out DIR`: plan.json (every number, unrounded beyond drainsim's usual six
 * decimals) and the two curves as CSV for plotting.
 */
import { stringify } from 'csv-stringify/sync';
import { roundForOutput, roundNumber } from '../../reports/round-for-output.js';
import type { OutputFile } from '../../reports/write-atomic.js';
import type { DrainPlan } from './plan-drain.js';

export function planJson(plan: DrainPlan): string {
  return `${JSON.stringify(roundForOutput(plan), null, 2)}\n`;
}

export function planOutputFiles(plan: DrainPlan): OutputFile[] {
  const drain = stringify([
    [
      'timeout_s',
      'expected_cut',
      'cut_p50',
      'cut_p99',
      'p_all_end',
      'p_all_end_mc',
      'p_all_end_mc_low',
      'p_all_end_mc_high',
      'expected_cut_without_ttl',
    ],
    ...plan.curves.drain.map((p) =>
      [
        p.timeout,
        p.expectedOpen,
        p.openP50,
        p.openP99,
        p.allEndedExact,
        p.allEnded.estimate,
        p.allEnded.low,
        p.allEnded.high,
        p.expectedOpenWithoutTtl,
      ].map(roundNumber),
    ),
  ]);
  const reconnect = stringify([
    ['jitter_window_s', 'peak_mean_per_s', 'peak_p50_per_s', 'peak_p99_per_s'],
    ...plan.curves.reconnect.map((r) => [r.window, r.mean, r.p50, r.p99].map(roundNumber)),
  ]);
  return [
    { fileName: 'plan.json', text: planJson(plan) },
    { fileName: 'drain-curve.csv', text: drain },
    { fileName: 'reconnect-curve.csv', text: reconnect },
  ];
}
