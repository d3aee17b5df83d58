/**
 * What the held-out rounds that run their twins on the model before the rule they test (rounds
 * 16-21: `git archive <rule>^`, built) repeat around it: loading that model, running each twin on it
 * (seeds 1-5; HAProxy's twins over the lb.uptime grid, as predictHaproxy), writing its figures, reading a
 * row's figure back, the round's table with the old model's figure and the rule deciding each row.
 * Each round keeps in its own file what differs: its directories, how its twins are restated for
 * the old schema, its file's note, its rules.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { RunResult } from '../../sim/result.js';
import {
  type FlatPredictions,
  type Gap,
  type HaproxyPredictions,
  type HeldOutRow,
  keyOf,
  runOf,
  show,
  within,
} from './heldout-rows.js';
import { countsText, printAfterAll } from './holdout-scaffold.js';
import { SEEDS7, UPTIMES7 } from './holdout7-figures.js';

/** A twin's figures, each read on its runs (seeds 1-5). */
export type SimFigures = Array<{ figure: string; sim: (runs: RunResult[]) => number | null }>;

/** Loads `git archive <commit>` built (`npx tsc -p tsconfig.json`, a node_modules link) from `dir`. */
export async function oldModel(dir: string) {
  const dist = resolve(dir, 'dist/sim');
  return {
    runScenario: (await import(`${dist}/run-scenario.js`)).runScenario,
    loadScenario: (await import(`${dist}/scenario/load.js`)).loadScenario,
    namedScenario: (await import(`${dist}/scenario/load-for-run.js`)).namedScenario,
    ScenarioSchema: (await import(`${dist}/scenario/schema.js`)).ScenarioSchema,
  };
}

/** The twin as it is (every key it sets is in the old model's schema; only the rule differs). */
export const asItIs = (text: string): string => text;

/**
 * `run`'s twin on the old model in `dir`, restated by `edit` (the old model's schema) into a
 * temporary file: figures of its runs, seeds 1-5, at each `lb.uptime` of `uptimes` (none: as it is).
 */
async function oldTwinFigures(
  dir: string,
  run: string,
  figures: SimFigures,
  edit: (text: string) => string,
  uptimes: number[] | null,
): Promise<Array<Record<string, number | null>>> {
  const m = await oldModel(dir);
  const file = join(mkdtempSync(join(tmpdir(), 'holdout-old-')), `${run}.yaml`);
  writeFileSync(file, edit(readFileSync(`calibration/scenarios/${run}.yaml`, 'utf8')));
  const parsed = m.namedScenario(m.loadScenario(file, m.ScenarioSchema));
  const figuresOf = (scenario: unknown) => {
    const runs: RunResult[] = SEEDS7.map((seed) => m.runScenario(scenario, { seed, file }));
    return Object.fromEntries(figures.map((f) => [f.figure, f.sim(runs)]));
  };
  if (uptimes === null) return [figuresOf(parsed)];
  return uptimes.map((uptime) => figuresOf({ ...parsed, lb: { ...parsed.lb, uptime } }));
}

/** Each twin's figures on the old model in `dirOf(run)`, seeds 1-5 (as predictFlat); `edit` restates the twin. */
export async function predictOldFlat(
  dirOf: (run: string) => string,
  figureSets: Record<string, SimFigures>,
  edit: (text: string) => string = asItIs,
): Promise<FlatPredictions> {
  const out: FlatPredictions = {};
  for (const [run, figures] of Object.entries(figureSets))
    [out[run]] = await oldTwinFigures(dirOf(run), run, figures, edit, null);
  return out;
}

/**
 * Each HAProxy twin's figures on the old model in `dirOf(run)` at every lb.uptime of the grid
 * (UPTIMES7), seeds 1-5 (as predictHaproxy); `edit` restates the twin.
 */
export async function predictOldHaproxy(
  dirOf: (run: string) => string,
  figureSets: Record<string, SimFigures>,
  edit: (text: string) => string = asItIs,
): Promise<HaproxyPredictions> {
  const out: HaproxyPredictions = {};
  for (const [run, figures] of Object.entries(figureSets)) {
    const byUptime = await oldTwinFigures(dirOf(run), run, figures, edit, UPTIMES7);
    out[run] = Object.fromEntries(UPTIMES7.map((u, i) => [u.toFixed(3), byUptime[i]]));
  }
  return out;
}

/** Writes the old model's figures: `{ note, ...sections }`, one space per level, a newline at the end. */
export function writeOldModel(file: string, note: string, sections: object): void {
  writeFileSync(file, `${JSON.stringify({ note, ...sections }, null, 1)}\n`);
}

/**
 * The old model's figure of a row: a HAProxy row's (`<run> (uptime <u> s)`) at the start its
 * recording states, in `byUptime`; another's in `flat`. Undefined where the section has none.
 */
export function oldFigureOf(
  r: HeldOutRow,
  byUptime: HaproxyPredictions | undefined,
  flat?: FlatPredictions,
): number | null | undefined {
  const uptime = / \(uptime ([0-9.]+) s\)$/.exec(r.run)?.[1];
  if (uptime !== undefined) return byUptime?.[runOf(r)]?.[uptime]?.[r.figure];
  return flat?.[runOf(r)]?.[r.figure];
}

/** How a round reads its old model: a row's figure there (undefined without the file), the rule of a run. */
export interface OldModelReading {
  oldModelOf: (r: HeldOutRow) => number | null | undefined;
  ruleOf: (run: string) => string;
  /** Every known gap of the round (its batches' together). */
  gaps: Record<string, Gap>;
}

/** Whether the rule decides the row: the old model's figure outside the row's tolerance around the real value. */
const decides = (r: HeldOutRow, { oldModelOf, ruleOf }: OldModelReading): string => {
  const old = oldModelOf(r);
  if (old === undefined) return '?';
  return within({ ...r, predicted: old }) ? '' : ruleOf(runOf(r));
};

/** The round's table: run, figure (and marking), real, predicted, old model, the rule deciding it, pass or gap. */
export const oldModelTable = (rows: HeldOutRow[], reading: OldModelReading): string =>
  [
    '| run | figure | real | predicted | old model | rule | |',
    '| --- | --- | ---: | ---: | ---: | --- | --- |',
    ...rows.map((r) => {
      const mark = r.fixed ? ` (input-fixed: ${r.fixed})` : r.derived ? ` (derived: ${r.derived})` : '';
      const old = reading.oldModelOf(r);
      const verdict = within(r) ? 'pass' : keyOf(r) in reading.gaps ? 'KNOWN GAP' : 'FAIL';
      return `| ${r.run} | ${r.figure}${mark} | ${show(r.real)} | ${show(r.predicted)} | ${old === undefined ? '?' : show(old)} | ${decides(r, reading)} | ${verdict} |`;
    }),
  ].join('\n');

/** Prints the round's table (oldModelTable) and its counts after the describe block's tests (printAfterAll). */
export const printOldModelTable = (rows: HeldOutRow[], reading: OldModelReading): void =>
  printAfterAll(() => `${oldModelTable(rows, reading)}\n\n${countsText(rows)} (blind)\n`);
