/**
 * What every built-in's terminal summary must satisfy (issue 16: "fits in 30 lines"); called from
 * test/golden-checks.ts, which runs each built-in once for its goldens anyway.
 */
import { expect } from 'vitest';
import { SUMMARY_LINES } from '../../../reports/terminal/compact/index.js';
import { formatValue } from '../../../reports/terminal/format.js';
import { renderTerminal } from '../../../reports/terminal/index.js';
import { INDENT } from '../../../reports/terminal/layout.js';
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
  const expected = Object.fromEntries(
    Object.entries(run.figures).map(([figure, value]) => [figure, formatValue(figure, value!)]),
  );
  expect(verboseFigures(verbose), `${name}: --verbose key figures`).toEqual(expected);
}

/**
 * The key figures of a --verbose summary by full name: a group line (`  drain`) and its rows
 * (`    vm-a.completed_within  30s`) make `drain.vm-a.completed_within`; an undotted figure sits
 * on its group's line (`  reconnects  37`). Names hold no spaces; values may (`2h 30m`).
 */
function verboseFigures(text: string): Record<string, string> {
  const lines = text.split('\n');
  const start = lines.indexOf('Key figures');
  expect(start, 'a Key figures section').toBeGreaterThanOrEqual(0);
  const figures: Record<string, string> = {};
  let group = '';
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith(INDENT)) break;
    const nested = line.startsWith(INDENT + INDENT);
    const [label, value] = splitRow(line.trim());
    if (nested) figures[`${group}.${label}`] = value!;
    else if (value === undefined) group = label!;
    else figures[label!] = value;
  }
  return figures;
}

function splitRow(row: string): [string, string | undefined] {
  const gap = /\s{2,}/.exec(row);
  return gap === null ? [row, undefined] : [row.slice(0, gap.index), row.slice(gap.index + gap[0].length)];
}
