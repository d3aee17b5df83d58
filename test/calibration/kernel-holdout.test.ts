// Held-out validation of the kernel model (session 13): Linux 6.18 recordings of parameter
// combinations no earlier recording had (calibration/experiments.mjs HOLDOUT_EXPERIMENTS), against
// drainsim twins written and run before the recordings (their blind predictions are in
// calibration/lib/holdout-predictions.json). Counts ±10 % (0 must be 0), times ±1 s, model figures
// the median of seeds 1–3, as compare.test.ts. Nothing here is fitted to the recordings: a
// mismatch was fixed in the kernel model from the kernel source, or is listed in GAPS with why.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs without type declarations
import { BACKLOG_EXPERIMENTS, HOLDOUT_EXPERIMENTS, SYN_GIVEUP_EXPERIMENTS } from '../../calibration/experiments.mjs';
// @ts-expect-error plain .mjs without type declarations
import * as holdout from '../../calibration/lib/holdout.mjs';
// @ts-expect-error plain .mjs without type declarations
import { HOLDOUT_GAPS } from '../../calibration/lib/holdout-gaps.mjs';

const {
  compareHoldout,
  HOLDOUT_README_END,
  HOLDOUT_README_START,
  holdoutComparisons,
  holdoutFiles,
  holdoutLabel,
  holdoutTable,
  tableCells,
} = holdout;

/** A compared figure (calibration/lib/holdout.mjs compareHoldout). */
interface Row extends Record<'experiment' | 'id' | 'figure' | 'error', string> {
  real: number | null;
  model: number | null;
  ok: boolean;
}
interface Data {
  experiment: string;
}

/**
 * Figures the model does not match yet (calibration/lib/holdout-gaps.mjs, with the kernel
 * reason): listed, not fitted. The app listener's final-ACK check (sim/model/app/app-listener.ts)
 * closed one in session 14; the others moved (connects now over-counted, late answers later).
 */
const GAPS = HOLDOUT_GAPS as Record<string, string>;

const names = ([...HOLDOUT_EXPERIMENTS, ...BACKLOG_EXPERIMENTS, ...SYN_GIVEUP_EXPERIMENTS] as { name: string }[]).map(
  (e) => e.name,
);
const data = holdoutFiles(names) as Data[];
const planned = data.flatMap((d) =>
  (holdoutComparisons(d) as Row[]).map((row) => ({ ...row, experiment: holdoutLabel(d) as string })),
);
let rows: Row[] = [];

beforeAll(() => {
  rows = compareHoldout(data) as Row[];
  if (process.env.DRAINSIM_CALIBRATION_TABLE) {
    for (const r of rows) console.log(`${r.experiment} | ${r.id} | ${r.real} | ${r.model} | ${r.error}`);
  }
}, 600_000);

describe('held-out kernel experiments: drainsim against Linux 6.18', () => {
  it('every held-out experiment has its recording, the accept-queue ones also under SCHED_FIFO', () => {
    expect([...new Set(data.map((d) => d.experiment))]).toEqual(names);
    for (const e of BACKLOG_EXPERIMENTS as { name: string }[]) {
      expect(data.map((d) => holdoutLabel(d))).toContain(`${e.name}-rt`);
      // Session 13's two were also recorded under `chrt -f 10` (-rt-run0); session 14's once.
      if (!e.name.startsWith('kernel-holdout-backlog8-'))
        expect(data.map((d) => holdoutLabel(d))).toContain(`${e.name}-rt-run0`);
    }
  });

  it('the known gaps are still gaps (a fix must move them into the compared rows)', () => {
    for (const key of Object.keys(GAPS)) {
      const r = rows.find((x) => `${x.experiment}/${x.id}` === key);
      expect(r, key).toBeDefined();
      expect(r!.ok, `${key}: real ${r!.real}, drainsim ${r!.model} now within tolerance`).toBe(false);
    }
  });

  for (const p of planned) {
    const key = `${p.experiment}/${p.id}`;
    const title = `${p.experiment}: ${p.figure}`;
    if (GAPS[key]) {
      it.skip(`${title} — not compared: ${GAPS[key]}`, () => {});
      continue;
    }
    it(`${title} within tolerance`, () => {
      const r = rows.find((x) => x.experiment === p.experiment && x.id === p.id)!;
      expect(r.ok, `real ${r.real}, drainsim ${r.model} (${r.error})`).toBe(true);
    });
  }

  it('calibration/README.md holds the generated held-out table (node calibration/lib/holdout.mjs --readme)', () => {
    const readme = readFileSync(new URL('../../calibration/README.md', import.meta.url), 'utf8');
    const predictions = JSON.parse(
      readFileSync(new URL('../../calibration/lib/holdout-predictions.json', import.meta.url), 'utf8'),
    );
    const a = readme.indexOf(HOLDOUT_README_START);
    const b = readme.indexOf(HOLDOUT_README_END);
    expect(a).toBeGreaterThan(0);
    expect(tableCells(readme.slice(a + HOLDOUT_README_START.length, b))).toEqual(
      tableCells(holdoutTable(rows, GAPS, predictions)),
    );
  });
});
