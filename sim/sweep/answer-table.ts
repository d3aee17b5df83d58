/**
 * The sweep's answer on the terminal: each grid point's varied values against the figures named
 * with `--report` (mean and 95 % confidence interval over the seeds), and with `--goal` which
 * points meet it. The best point is the first, in grid order, whose whole 95 % interval meets the
 * goal: with each `--vary` listing values cheapest first, the cheapest setting that suffices.
 */
import { nearest } from '../scenario/nearest.js';
import { SweepError } from './errors.js';
import type { SampleStats } from './sample-stats.js';
import { figureNames, summarizeSweep } from './summarize.js';
import type { SweepData } from './types.js';

export interface SweepGoal {
  text: string;
  figure: string;
  op: '<' | '<=' | '>' | '>=';
  value: number;
}

const GOAL = /^\s*([A-Za-z_][\w.\-[\]]*)\s*(<=|>=|<|>)\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*$/;

export function parseGoal(text: string): SweepGoal {
  const m = GOAL.exec(text);
  if (m === null)
    throw new SweepError(
      `--goal '${text}': expected figure op number, e.g. 'ws_close_1006.total < 30' (op: < <= > >=)`,
    );
  return { text: text.trim(), figure: m[1]!, op: m[2] as SweepGoal['op'], value: Number(m[3]) };
}

function holds(op: SweepGoal['op'], x: number, bound: number): boolean {
  return op === '<' ? x < bound : op === '<=' ? x <= bound : op === '>' ? x > bound : x >= bound;
}

/** 'yes' when the whole 95 % interval meets the goal, 'mean' when only the mean does, 'no' otherwise. */
export function goalVerdict(goal: SweepGoal, stats: SampleStats | null): 'yes' | 'mean' | 'no' {
  if (stats === null || !holds(goal.op, stats.mean, goal.value)) return 'no';
  const worst = goal.op.startsWith('<') ? stats.ci95High : stats.ci95Low;
  return worst !== null && holds(goal.op, worst, goal.value) ? 'yes' : 'mean';
}

function num(x: number): string {
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1000 || Number.isInteger(x) ? String(Math.round(x)) : a >= 1 ? x.toFixed(2) : x.toPrecision(3);
}

function statsCell(s: SampleStats | null): string {
  if (s === null) return '—';
  return s.ci95Low === null ? num(s.mean) : `${num(s.mean)} [${num(s.ci95Low)}, ${num(s.ci95High!)}]`;
}

/** Checks the figure names against what the runs reported; throws SweepError naming the nearest. */
export function checkReportFigures(data: SweepData, figures: readonly string[]): void {
  const known = figureNames(data);
  for (const f of figures) {
    if (!known.includes(f)) {
      const near = nearest(f, known);
      throw new SweepError(
        `--report/--goal: no run reported a figure '${f}'${near === undefined ? '' : `; did you mean '${near}'?`} (the figures are the columns of sweep-summary.csv)`,
      );
    }
  }
}

export function renderAnswerTable(data: SweepData, report: readonly string[], goal: SweepGoal | null): string {
  const figures = [...report];
  if (goal !== null && !figures.includes(goal.figure)) figures.push(goal.figure);
  checkReportFigures(data, figures);
  const summary = summarizeSweep(data, figures);
  const verdicts = goal === null ? [] : summary.map((p) => goalVerdict(goal, p.stats.get(goal.figure) ?? null));
  const best = verdicts.indexOf('yes');
  const header = [
    ...data.spec.vary.map((v) => v.path),
    ...figures.map((f) => `${f} (mean [95% CI])`),
    ...(goal === null ? [] : ['goal']),
  ];
  const rows = data.points.map((point, i) => [
    ...point.sets.map((s, j) => s.slice(data.spec.vary[j]!.path.length + 1)),
    ...figures.map((f) => statsCell(summary[i]!.stats.get(f) ?? null)),
    ...(goal === null
      ? []
      : [verdicts[i] === 'yes' ? (i === best ? 'yes  ← best' : 'yes') : verdicts[i] === 'mean' ? 'mean only' : 'no']),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const out = [
    `${data.spec.seeds.length} seed${data.spec.seeds.length === 1 ? '' : 's'} per point`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ];
  if (goal !== null) {
    out.push(
      best >= 0
        ? `Best: ${data.points[best]!.sets.join(' ')} — the first point whose whole 95 % interval meets '${goal.text}'.`
        : `No point meets '${goal.text}' with its whole 95 % interval${verdicts.includes('mean') ? ' (some do on the mean only: more seeds would tell)' : ''}.`,
    );
  }
  return `${out.join('\n')}\n`;
}
