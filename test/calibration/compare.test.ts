// drainsim's model twins (calibration/scenarios/) against the real-kernel recordings
// (calibration/data/): TIME_WAIT plateaus and connect counts within ±10 %, first EADDRNOTAVAIL
// within ±1 s (issue 11). No model constant is fitted to these files: the kernel model's
// parameters come from the kernel source and documented defaults (sim/net/).
// The model figures are medians over a few seeds (calibration/compare.mjs says why).
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs without type declarations
import { compareAll, comparisons, comparisonTable } from '../../calibration/compare.mjs';
// @ts-expect-error plain .mjs without type declarations
import { README_END, README_START, readAll } from '../../calibration/table.mjs';

interface Row {
  experiment: string;
  id: string;
  figure: string;
  real: number | null;
  model: number | null;
  ok: boolean;
  error: string;
  distorted?: string;
  gap?: string;
}
interface Data {
  experiment: string;
}

const data = readAll() as Data[];
const planned = data.flatMap((d) => (comparisons(d) as Row[]).map((row) => ({ ...row, experiment: d.experiment })));
let rows: Row[] = [];

beforeAll(() => {
  rows = compareAll(data) as Row[];
}, 600_000);

const find = (p: Row) => rows.find((r) => r.experiment === p.experiment && r.id === p.id)!;

describe('model twins against the real kernel', () => {
  it('every recorded experiment with TIME_WAIT or exhaustion figures has a twin and is compared', () => {
    expect(planned.length).toBeGreaterThanOrEqual(22);
    expect(rows.length).toBe(planned.length);
  });

  for (const p of planned) {
    const title = `${p.experiment}: ${p.figure}`;
    if (p.distorted) {
      // Shown in the README table but not compared: the real run was disturbed by something the
      // model does not have (its undistorted window is compared in the row after it).
      it.skip(`${title} — not compared: ${p.distorted}`, () => {});
      continue;
    }
    it(`${title} within tolerance`, () => {
      const r = find(p);
      expect(r.ok, `real ${r.real}, drainsim ${r.model} (${r.error})`).toBe(true);
    });
  }

  it('the README Calibration table is the generated one (node calibration/table.mjs --readme)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const a = readme.indexOf(README_START);
    const b = readme.indexOf(README_END);
    expect(a).toBeGreaterThan(0);
    expect(readme.slice(a + README_START.length, b).trim()).toBe(comparisonTable(rows).trim());
  });
});
