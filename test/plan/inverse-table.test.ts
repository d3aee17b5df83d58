import { describe, expect, it } from 'vitest';
import { IntegratedSurvival } from '../../sim/plan/integrated-survival.js';
import { CELLS, EXACT_TOP_CELLS, InverseTable } from '../../sim/plan/inverse-table.js';
import { parseDistribution } from '../../sim/scenario/distribution.js';

/** The table as it was before its cells were filled on demand: every cell computed at construction. */
class EagerInverseTable {
  private readonly values = new Float64Array(CELLS + 1);

  constructor(private readonly exact: (u: number) => number) {
    for (let i = 0; i <= CELLS - EXACT_TOP_CELLS; i++) this.values[i] = exact(i / CELLS);
  }

  at(u: number): number {
    const h = u * CELLS;
    const i = Math.floor(h);
    if (i >= CELLS - EXACT_TOP_CELLS) return this.exact(u);
    const lo = this.values[i]!;
    return lo + (h - i) * (this.values[i + 1]! - lo);
  }
}

/** The residual-life quantile function that ResidualLife tabulates. */
function residualQuantile(spec: string): (u: number) => number {
  const G = new IntegratedSurvival(parseDistribution(spec));
  return (u) => G.inverse(u * G.mean);
}

describe('InverseTable (cells filled on first use)', () => {
  it.each(['lognormal(median=40m, p99=8h)', 'exp(mean=2m)', 'uniform(0s, 10m)'])(
    'equals the eagerly built table cell for cell, whatever the order of draws (%s)',
    (spec) => {
      const exact = residualQuantile(spec);
      const eager = new EagerInverseTable(exact);
      const lazy = new InverseTable(exact);
      // A scattered order (a stride coprime to the cell count), so a cell is often first read as
      // the upper neighbour of another: each cell's value, and a point inside each cell.
      const differing: number[] = [];
      for (let k = 0, i = 0; k < CELLS; k++, i = (i + 7919) % CELLS) {
        for (const u of [i / CELLS, (i + 0.37) / CELLS]) {
          if (!Object.is(lazy.at(u), eager.at(u))) differing.push(i);
        }
      }
      expect(differing).toEqual([]);
    },
  );

  it('computes only the cells a draw reads', () => {
    let calls = 0;
    const table = new InverseTable((u) => {
      calls++;
      return u;
    });
    expect(calls).toBe(0);
    table.at(0.5 + 0.3 / CELLS);
    expect(calls).toBe(2);
    table.at(0.5 + 0.6 / CELLS);
    expect(calls).toBe(2);
  });
});
