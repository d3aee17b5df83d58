/**
 * What a held-out comparison needs besides its recordings: a twin's runs over seeds, a timeline
 * total over a window, and the table of real vs drainsim figures each assertion adds a row to
 * (printed with DRAINSIM_CALIBRATION_TABLE=1). Tolerances of the held-out rounds: counts ±10 %
 * (±2 near zero), times ±1 s unless a tighter one is given, shares ±0.1; a known gap is tabled,
 * and pinned by its test.
 */
import { expect } from 'vitest';
import type { RunResult } from '../../sim/result.js';
import { runScenario } from '../../sim/run-scenario.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { namedScenario } from '../../sim/scenario/load-for-run.js';
import { ScenarioSchema } from '../../sim/scenario/schema.js';
import { mean, series } from '../model/helpers.js';

/** A twin scenario (calibration/scenarios/<name>.yaml) run with seeds 1…n. */
export function twinRuns(name: string, seeds: number): RunResult[] {
  const file = `calibration/scenarios/${name}.yaml`;
  const scenario = namedScenario(loadScenario(file, ScenarioSchema));
  return Array.from({ length: seeds }, (_, i) => runScenario(scenario, { seed: i + 1, file }));
}

/** Total of a timeline series on `entity` over the samples ending in (from, to]. */
export function totalIn(r: RunResult, name: string, from: number, to: number, entity = 'total'): number {
  return series(r, name, entity)
    .filter(([t]) => t > from && t <= to)
    .reduce((a, [, v]) => a + v, 0);
}

/** The mean over the seeds of one figure of a run. */
export const overSeeds = (runs: RunResult[], f: (r: RunResult) => number): number => mean(runs.map(f));

/** How close drainsim must come: a count, a share, or a time with its tolerance in seconds. */
export type Tolerance = { count: true } | { share: true } | { seconds: number };
const COUNT: Tolerance = { count: true };

/** The largest difference a tolerance allows at the recorded value. */
export function allowed(tolerance: Tolerance, real: number): number {
  if ('count' in tolerance) return Math.max(0.1 * Math.abs(real), 2);
  if ('share' in tolerance) return 0.1;
  return tolerance.seconds;
}

/** The rows of one held-out round, each added by an assertion. */
export class HeldOutTable {
  private readonly rows: Array<{ run: string; figure: string; real: number; sim: number }> = [];

  /** drainsim's figure is within the tolerance of the recorded one. */
  expectClose(run: string, figure: string, real: number, sim: number, tolerance: Tolerance = COUNT): void {
    const unit = 'seconds' in tolerance ? ' (s)' : 'share' in tolerance ? ' (share)' : '';
    this.rows.push({ run, figure: `${figure}${unit}`, real, sim });
    expect(Math.abs(sim - real), `${run} ${figure}: real ${real}, drainsim ${sim}`).toBeLessThanOrEqual(
      allowed(tolerance, real),
    );
  }

  /** A time within ±`seconds` (1 s by default). */
  expectTime(run: string, figure: string, real: number, sim: number, seconds = 1): void {
    this.expectClose(run, figure, real, sim, { seconds });
  }

  /** A figure drainsim does not reproduce: tabled as a known gap (its test pins both values). */
  knownGap(run: string, figure: string, real: number, sim: number): void {
    this.rows.push({ run, figure: `${figure} — KNOWN GAP`, real, sim });
  }

  get size(): number {
    return this.rows.length;
  }

  /** The markdown table, when DRAINSIM_CALIBRATION_TABLE is set. */
  print(): void {
    if (!process.env.DRAINSIM_CALIBRATION_TABLE) return;
    const line = (x: (typeof this.rows)[number]): string =>
      `| ${x.run} | ${x.figure} | ${Math.round(x.real * 1000) / 1000} | ${Math.round(x.sim * 100) / 100} |`;
    process.stdout.write(`| run | figure | real | drainsim |\n|---|---|---|---|\n${this.rows.map(line).join('\n')}\n`);
  }
}
