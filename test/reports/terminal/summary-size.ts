/**
 * What every built-in's terminal summary must satisfy (issue 16: "fits in 30 lines"); called from
 * test/golden.test.ts, which runs each built-in once for its goldens anyway.
 */
import { expect } from 'vitest';
import { SUMMARY_LINES } from '../../../reports/terminal/compact/index.js';
import { renderTerminal } from '../../../reports/terminal/index.js';
import type { RunResult } from '../../../sim/result.js';

const WRITTEN = ['summary.json', 'timeline.csv', 'events.log', 'report.html'].map((f) => `out/x/${f}`);

export function expectSummaryFits(name: string, run: RunResult): void {
  const ctx = { color: false, width: 80, written: WRITTEN };
  const lines = renderTerminal(run, ctx).trimEnd().split('\n');
  expect(lines.length, `${name}: terminal summary has ${lines.length} lines:\n${lines.join('\n')}`).toBeLessThanOrEqual(
    SUMMARY_LINES,
  );
  const wide = lines.filter((l) => [...l].length > ctx.width);
  expect(wide, `${name}: lines wider than ${ctx.width} columns`).toEqual([]);
  // Every failed expectation is shown, however much else was cut.
  for (const e of run.expectations.filter((x) => !x.passed)) expect(lines.join('\n')).toContain(e.text);
  // --verbose keeps the full detail: every figure, zeros included.
  const verbose = renderTerminal(run, { ...ctx, verbose: true });
  expect(verbose.split('\n').length).toBeGreaterThan(lines.length);
  for (const figure of Object.keys(run.figures)) {
    expect(verbose, `${name}: --verbose lacks ${figure}`).toContain(figure.slice(figure.lastIndexOf('.') + 1));
  }
}
