/**
 * Figure by figure, what changed from the first run to the second, and whether that is better or
 * worse by what the figure counts (sim/expect/figure-meaning.ts) — never "FAIL": a fix is
 * supposed to change things.
 */
import { judgeChange } from '../../sim/expect/figure-meaning.js';
import type { RunResult } from '../../sim/result.js';
import { formatValue } from '../terminal/format.js';

export interface FigureDelta {
  figure: string;
  a: string;
  b: string;
  verdict: 'better' | 'worse' | 'changed';
}

const ORDER = { worse: 0, better: 1, changed: 2 } as const;

/** Figures whose values differ (and are not both zero), worse first, then better, then the rest. */
export function figureDeltas(a: RunResult, b: RunResult): FigureDelta[] {
  const names = [...new Set([...Object.keys(a.figures), ...Object.keys(b.figures)])].sort();
  const show = (name: string, v: number | null | undefined): string =>
    v === undefined ? 'absent' : v === null ? 'never' : formatValue(name, v);
  return names
    .filter((n) => a.figures[n] !== b.figures[n])
    .map((n) => ({
      figure: n,
      a: show(n, a.figures[n]),
      b: show(n, b.figures[n]),
      verdict: judgeChange(n, a.figures[n] ?? null, b.figures[n] ?? null),
    }))
    .sort((x, y) => ORDER[x.verdict] - ORDER[y.verdict]);
}
