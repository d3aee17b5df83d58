/**
 * Readings become verdicts: one run's reading against its check, or several seeds' readings
 * folded by a seed aggregate (`p90(…)`) or required of every seed.
 */

import { roundNumber } from '../../reports/round-for-output.js';
import { percentileOfSorted } from '../metrics/histogram.js';
import type { ExpectationResult } from '../result.js';
import type { BoundAssertion, SeedAggregate } from './bind.js';
import { type Comparison, describeComparison, holds, worstIndex } from './comparison.js';
import type { Reading } from './measure.js';

/** An expectation result and the seed of the run it is pinned to (the run a failure report shows). */
export interface Verdict extends ExpectationResult {
  seed: number;
}

function verdict(
  text: string,
  passed: boolean,
  actual: number | null,
  seed: number,
  at?: number,
  message?: string,
): Verdict {
  const v: Verdict = { text, passed, actual, seed };
  if (at !== undefined && !passed) v.at = at;
  if (message !== undefined && message !== '') v.message = message;
  return v;
}

/** One run's reading against its check. */
export function singleRunVerdict(text: string, reading: Reading, check: Comparison, seed: number): Verdict {
  if (reading.value === null)
    return verdict(text, false, null, seed, reading.at, reading.note ?? 'no value in this run');
  const passed = holds(check, reading.value);
  const expected = passed ? undefined : `expected ${describeComparison(check)}`;
  return verdict(
    text,
    passed,
    reading.value,
    seed,
    reading.at,
    [expected, reading.note].filter((s) => s !== undefined).join('; '),
  );
}

/** `1..10` when the seeds run consecutively, else the list. */
export function describeSeeds(seeds: readonly number[]): string {
  const consecutive = seeds.every((s, i) => i === 0 || s === seeds[i - 1]! + 1);
  return consecutive && seeds.length > 2 ? `${seeds[0]}..${seeds.at(-1)}` : seeds.join(', ');
}

export interface SeedReading {
  seed: number;
  reading: Reading;
}

function aggregateSeeds(agg: SeedAggregate, values: readonly number[]): { value: number; index: number | undefined } {
  if (agg.kind === 'mean') return { value: values.reduce((a, b) => a + b, 0) / values.length, index: undefined };
  const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]! || a - b);
  const q = agg.kind === 'quantile' ? agg.q : agg.kind === 'min' ? 0 : 1;
  // Nearest rank, so the value is one seed's actual value and that seed can be replayed.
  const index = percentileOfSorted(order, q);
  return { value: values[index]!, index };
}

/** Several seeds' readings of one bound assertion. */
export function acrossSeedsVerdict(text: string, bound: BoundAssertion, readings: readonly SeedReading[]): Verdict {
  const check = bound.comparison;
  const seeds = describeSeeds(readings.map((r) => r.seed));
  const missing = readings.filter((r) => r.reading.value === null);
  if (bound.seedAggregate !== undefined && missing.length > 0) {
    const first = missing[0]!;
    const note = first.reading.note ?? 'no value';
    return verdict(
      text,
      false,
      null,
      first.seed,
      first.reading.at,
      `no value for seed${missing.length > 1 ? 's' : ''} ${missing.map((r) => r.seed).join(', ')} (seed ${first.seed}: ${note})`,
    );
  }
  if (bound.seedAggregate !== undefined) {
    const values = readings.map((r) => r.reading.value!);
    const { value: raw, index } = aggregateSeeds(bound.seedAggregate, values);
    const value = roundNumber(raw) ?? raw;
    const passed = holds(check, value);
    // A mean belongs to no one seed; the failure report shows the seed that pulled it furthest.
    const pinned = index ?? worstIndex(check, values);
    const r = readings[pinned]!;
    const whose = index === undefined ? `; seed ${r.seed} is the worst (${values[pinned]})` : ` (seed ${r.seed})`;
    const message = `${bound.seedAggregate.fn} over seeds ${seeds}${whose}${passed ? '' : `; expected ${describeComparison(check)}`}`;
    return verdict(text, passed, value, r.seed, r.reading.at, message);
  }
  const failing = readings.filter((r) => r.reading.value === null || !holds(check, r.reading.value));
  if (failing.length === 0) {
    const worst =
      readings[
        worstIndex(
          check,
          readings.map((r) => r.reading.value!),
        )
      ]!;
    return verdict(
      text,
      true,
      worst.reading.value,
      worst.seed,
      undefined,
      `holds for all ${readings.length} seeds (${seeds}); worst is seed ${worst.seed}`,
    );
  }
  const first = failing[0]!;
  const single = singleRunVerdict(text, first.reading, check, first.seed);
  const which = `fails for ${failing.length} of ${readings.length} seeds (${failing.map((r) => r.seed).join(', ')})`;
  return verdict(
    text,
    false,
    single.actual,
    first.seed,
    single.at,
    `${which}; seed ${first.seed}: ${single.message ?? ''}`.replace(/: $/, ''),
  );
}
