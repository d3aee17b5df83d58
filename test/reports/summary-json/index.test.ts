import { describe, expect, it } from 'vitest';
import { jsonStdout } from '../../../reports/json-stdout/index.js';
import { renderSummaryJson } from '../../../reports/summary-json/index.js';
import { fixtureResult } from '../fixture.js';

describe('summary.json', () => {
  it('has the published top-level keys in order, 2-space indent and a trailing newline', () => {
    const text = renderSummaryJson(fixtureResult());
    expect(Object.keys(JSON.parse(text))).toEqual([
      'scenario',
      'seed',
      'version',
      'start',
      'horizon_s',
      'engine_events',
      'figures',
      'histograms',
      'expectations',
      'resolved',
    ]);
    expect(text.split('\n')[1]).toBe('  "scenario": {');
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('does not depend on the order figures and histograms were inserted in', () => {
    const a = fixtureResult();
    const b = fixtureResult();
    b.figures = Object.fromEntries(Object.entries(b.figures).reverse());
    b.histograms = Object.fromEntries(
      Object.entries(b.histograms)
        .reverse()
        .map(([k, h]) => [k, { max: h.max, p99: h.p99, p95: h.p95, p50: h.p50, mean: h.mean, count: h.count }]),
    );
    expect(renderSummaryJson(b)).toBe(renderSummaryJson(a));
  });

  it('rounds numbers everywhere, including the resolved scenario', () => {
    const parsed = JSON.parse(renderSummaryJson(fixtureResult()));
    expect(parsed.figures['drain.duration_s']).toBe(20);
    expect(parsed.histograms['request.latency'].mean).toBe(0.012346);
    expect(parsed.resolved.drain.timeout).toBe(20);
  });

  it('is what --format json prints', () => {
    const result = fixtureResult();
    expect(jsonStdout.render(result, { color: true, width: 80, written: [] })).toBe(renderSummaryJson(result));
  });
});
