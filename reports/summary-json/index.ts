/**
 * summary.json: the run's identity, key figures and verdicts — what CI diffs against a baseline.
 * Key order is fixed here (maps sorted by name) so that the same run always yields the same bytes.
 */
import type { ExpectationResult, HistogramSummary, RunResult } from '../../sim/result.js';
import { roundForOutput } from '../round-for-output.js';
import type { FileReport } from '../writer.js';

function sortedByKey<T>(map: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(map).sort()) out[key] = map[key] as T;
  return out;
}

/** count/mean/max exact; p50/p95/p99 to 3 significant digits (HDR histogram, see HistogramSummary). */
function histogramEntry(h: HistogramSummary): HistogramSummary {
  return { count: h.count, mean: h.mean, p50: h.p50, p95: h.p95, p99: h.p99, max: h.max };
}

function mapValues<T, U>(map: Record<string, T>, f: (value: T) => U): Record<string, U> {
  const out: Record<string, U> = {};
  for (const [key, value] of Object.entries(map)) out[key] = f(value);
  return out;
}

function expectationEntry(e: ExpectationResult): Record<string, unknown> {
  const entry: Record<string, unknown> = { text: e.text, passed: e.passed, actual: e.actual };
  if (e.at !== undefined) entry.at_s = e.at;
  if (e.message !== undefined) entry.message = e.message;
  return entry;
}

/** The summary as a plain object, numbers rounded, keys in their published order. */
export function summaryObject(result: RunResult): Record<string, unknown> {
  return roundForOutput({
    scenario: {
      name: result.scenario.name,
      file: result.scenario.file,
      description: result.scenario.description,
    },
    seed: result.seed,
    version: result.version,
    start: result.start,
    horizon_s: result.horizon,
    engine_events: result.engineEvents,
    figures: sortedByKey(result.figures),
    histograms: mapValues(sortedByKey(result.histograms), histogramEntry),
    expectations: result.expectations.map(expectationEntry),
    // Kept in the resolver's order (schema order), which is deterministic and reads better than sorted.
    resolved: result.resolved,
  }) as Record<string, unknown>;
}

export function renderSummaryJson(result: RunResult): string {
  return `${JSON.stringify(summaryObject(result), null, 2)}\n`;
}

export const summaryJson: FileReport = {
  name: 'summary-json',
  fileName: 'summary.json',
  render: renderSummaryJson,
};
