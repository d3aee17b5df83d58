/**
 * The rows of a blind held-out round (rounds 7-13: test/calibration/holdout7-13.test.ts): a twin's
 * prediction written before the run was recorded, against the recording. Each round keeps its own
 * runs, figures, predictions files and known gaps; this module builds the rows from them, writes
 * the predictions, prints the table and makes a test of every row (a row outside the tolerance
 * must be a pinned KNOWN GAP with its cause).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs without type declarations
import { median } from '../../calibration/compare.mjs';
// @ts-expect-error plain .mjs without type declarations
import { holdoutComparisons, twinRuns } from '../../calibration/lib/holdout.mjs';
// @ts-expect-error plain .mjs without type declarations
import { blankData } from '../../calibration/lib/holdout-predict.mjs';
import type { RunResult } from '../../sim/result.js';
import { statedUptime } from './haproxy-restated.js';
import { allowed, type Tolerance } from './heldout-table.js';
import { type HaproxyRec7, SEEDS7, twin7, UPTIMES7, uptimeKey } from './holdout7-figures.js';

const DATA = 'calibration/data';

/** One row of a round's table. */
export interface HeldOutRow {
  run: string;
  figure: string;
  real: number | null;
  predicted: number | null;
  tolerance: Tolerance;
  /** Set when the figure is fixed by the input, not by the mechanism (round 9). */
  fixed?: string;
  /** Set when the row restates other rows (the same count, or a count the input and other rows fix): not a mechanism row. */
  derived?: string;
}

/** A known gap: both values, pinned, and the cause found. */
export interface Gap {
  real: number | null;
  predicted: number | null;
  cause: string;
}

/** A figure as a round's tables give it: its name, tolerance and value on a recording. */
interface RecordedFigure<D> {
  figure: string;
  tolerance: Tolerance;
  real: (d: D) => number | null;
  fixed?: string;
  derived?: string;
}

/** Per run, per `lb.uptime` key, per figure. */
export type HaproxyPredictions = Record<string, Record<string, Record<string, number | null>>>;
/** Per run (or kernel experiment), per figure (or row id). */
export type FlatPredictions = Record<string, Record<string, number | null>>;

export const within = (r: HeldOutRow): boolean =>
  r.real === null || r.predicted === null
    ? r.real === r.predicted
    : Math.abs(r.predicted - r.real) <= allowed(r.tolerance, r.real) + 1e-9;

/** A recording of calibration/data, or null while the run is not recorded. */
export const readRecording = <T>(file: string): T | null =>
  existsSync(`${DATA}/${file}.json`) ? (JSON.parse(readFileSync(`${DATA}/${file}.json`, 'utf8')) as T) : null;

export const readPredictions = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

/** Writes a round's blind predictions once: a file already written is kept as it was (checked before the twins run). */
export function writeBlindPredictions(file: string, predict: () => object): void {
  if (existsSync(file)) throw new Error('blind predictions are kept as first written');
  writeFileSync(file, `${JSON.stringify(predict(), null, 1)}\n`);
}

/** Each figure's tolerance, per run: stored in a batch's predictions file (from round 14 on) so that the blind test can compare them. */
export type StatedTolerances = Record<string, Record<string, Tolerance>>;

/** The tolerances of a batch's figure sets, per run, per figure. */
export const tolerancesOf = (
  figureSets: Record<string, Array<{ figure: string; tolerance: Tolerance }>>,
): StatedTolerances =>
  Object.fromEntries(
    Object.entries(figureSets).map(([run, figures]) => [
      run,
      Object.fromEntries(figures.map((f) => [f.figure, f.tolerance])),
    ]),
  );

/**
 * The describe block of a batch's blind predictions: skipped unless `envVar` is set, it runs the
 * twins once (`predict`) and writes `file` (writeBlindPredictions), before the batch is recorded.
 * Given the batch's figure sets (rounds from 14 on), the file also keeps each figure's tolerance
 * (`tolerances`), which blindAncestryTest compares with today's. True when it writes: the round's
 * comparison is then skipped.
 */
export function blindPredictionsWriter(
  envVar: string,
  file: string,
  batch: string,
  predict: () => object,
  figureSets?: Record<string, Array<{ figure: string; tolerance: Tolerance }>>,
): boolean {
  const writing = Boolean(process.env[envVar]);
  const withTolerances = () => (figureSets ? { ...predict(), tolerances: tolerancesOf(figureSets) } : predict());
  describe.runIf(writing)(`${batch}: predictions before recording`, () => {
    it(
      `writes every twin’s figures (seeds 1-5) to ${file}`,
      () => writeBlindPredictions(file, withTolerances),
      900_000,
    );
  });
  return writing;
}

/** How a HAProxy prediction file is keyed: the tail of its note (rounds 9-12). */
export const HAPROXY_NOTE_TAIL =
  "keyed by lb.uptime (s, HAProxy's start before t0, read off the recording: haproxy-restated.ts statedUptime()), " +
  'per figure: means over seeds 1-5 (check times: seed 1).';

/** A round's predictions of HAProxy, nginx and kernel twins (rounds 7 and 8). */
export interface RoundPredictions {
  note: string;
  haproxy: HaproxyPredictions;
  nginx: FlatPredictions;
  kernel: FlatPredictions;
}

export const show = (x: number | null): string => (x === null ? 'none' : `${Math.round(x * 1000) / 1000}`);

/** The run of a row without its uptime. */
export const runOf = (r: HeldOutRow): string => r.run.replace(/ \(uptime.*$/, '');

/** `<run> / <figure>`, the run without its uptime: the key of a known gap. */
export const keyOf = (r: HeldOutRow): string => `${runOf(r)} / ${r.figure}`;

/** Each HAProxy twin's figures, seeds 1-5, at every lb.uptime of the grid (UPTIMES7). */
export function predictHaproxy(
  figureSets: Record<string, Array<{ figure: string; sim: (runs: RunResult[]) => number | null }>>,
): HaproxyPredictions {
  return Object.fromEntries(
    Object.entries(figureSets).map(([run, figures]) => [
      run,
      Object.fromEntries(
        UPTIMES7.map((u) => {
          const runs = twin7(run, u);
          return [u.toFixed(3), Object.fromEntries(figures.map((f) => [f.figure, f.sim(runs)]))];
        }),
      ),
    ]),
  );
}

/** Each twin's figures without an uptime grid (nginx), seeds 1-5. */
export function predictFlat(
  figureSets: Record<string, Array<{ figure: string; sim: (runs: RunResult[]) => number | null }>>,
): FlatPredictions {
  return Object.fromEntries(
    Object.entries(figureSets).map(([run, figures]) => {
      const runs = twin7(run);
      return [run, Object.fromEntries(figures.map((f) => [f.figure, f.sim(runs)]))];
    }),
  );
}

/** A row of calibration/lib/holdout.mjs holdoutComparisons(). */
interface KernelRow {
  id: string;
  figure: string;
  real: number | null;
  kind: 'count' | 'time';
  model: (runs: unknown) => number | null;
}
export interface KernelExperiment {
  name: string;
}

/** Each kernel experiment's rows: the median over seeds 1-5 of its twin. */
export function predictKernel(experiments: KernelExperiment[]): FlatPredictions {
  return Object.fromEntries(
    experiments.map((e) => {
      const data = blankData(e);
      const runs = SEEDS7.map((seed) => twinRuns(data, seed));
      const rows = holdoutComparisons(data) as KernelRow[];
      return [e.name, Object.fromEntries(rows.map((row) => [row.id, median(runs.map((r) => row.model(r)))]))];
    }),
  );
}

/** The rows of every recorded run (`<run>-rt`): `label` names the run, `predicted` reads its prediction. */
function recordedRows<D>(
  figureSets: Record<string, Array<RecordedFigure<D>>>,
  label: (run: string, d: D) => { run: string; predicted: (figure: string) => number | null },
): HeldOutRow[] {
  return Object.entries(figureSets).flatMap(([run, figures]) => {
    const d = readRecording<D>(`${run}-rt`);
    if (!d) return [];
    const at = label(run, d);
    return figures.map((f) => ({
      run: at.run,
      figure: f.figure,
      real: f.real(d),
      predicted: at.predicted(f.figure),
      tolerance: f.tolerance,
      fixed: f.fixed,
      derived: f.derived,
    }));
  });
}

/** The HAProxy rows of every recorded run, read at the uptime its recording states. */
export const haproxyRows = <D extends HaproxyRec7>(
  figureSets: Record<string, Array<RecordedFigure<D>>>,
  predictions: HaproxyPredictions,
): HeldOutRow[] =>
  recordedRows(figureSets, (run, d) => {
    const at = uptimeKey(statedUptime(d));
    return { run: `${run} (uptime ${at} s)`, predicted: (figure) => predictions[run][at][figure] };
  });

/** The rows of every recorded run whose predictions have no uptime (nginx). */
export const flatRows = <D>(
  figureSets: Record<string, Array<RecordedFigure<D>>>,
  predictions: FlatPredictions,
): HeldOutRow[] => recordedRows(figureSets, (run) => ({ run, predicted: (figure) => predictions[run][figure] }));

/** The kernel rows of every recorded experiment (`fileOf`: its recording's name). */
export function kernelRows(
  experiments: KernelExperiment[],
  fileOf: (name: string) => string,
  predictions: FlatPredictions,
): HeldOutRow[] {
  return experiments.flatMap((e) => {
    const file = fileOf(e.name);
    const d = readRecording<unknown>(file);
    if (!d) return [];
    return (holdoutComparisons(d) as KernelRow[]).map((row) => ({
      run: file,
      figure: row.figure,
      real: row.real,
      predicted: predictions[e.name][row.id],
      tolerance: row.kind === 'time' ? ({ seconds: 1 } as const) : ({ count: true } as const),
    }));
  });
}

/** A row that tests the model's mechanism: neither fixed by the input nor derived from other rows. */
export const isMechanism = (r: HeldOutRow): boolean => !r.fixed && !r.derived;

/**
 * A row both sides put at 0, or both at none, cannot tell the model from no model: marked
 * input-fixed ("0 vs 0", "none vs none") and counted apart (rounds 12 and 13). `mechanism` names,
 * by `<run> / <figure>` with the reason, the rows whose 0 IS the mechanism (kept as mechanism rows).
 */
export const markZeros =
  (mechanism: Record<string, string> = {}) =>
  (r: HeldOutRow): HeldOutRow => {
    if (r.fixed || r.derived || keyOf(r) in mechanism) return r;
    if (r.real === 0 && r.predicted === 0) return { ...r, fixed: '0 vs 0' };
    if (r.real === null && r.predicted === null) return { ...r, fixed: 'none vs none' };
    return r;
  };

/** One markdown line of the table: pass, KNOWN GAP (a key of `gaps`) or FAIL. */
export const tableLine = (r: HeldOutRow, gaps: Record<string, Gap>): string =>
  `| ${r.run} | ${r.figure}${r.fixed ? ` (input-fixed: ${r.fixed})` : ''}${r.derived ? ` (derived: ${r.derived})` : ''} | ${show(r.real)} | ${show(r.predicted)} | ${within(r) ? 'pass' : keyOf(r) in gaps ? 'KNOWN GAP' : 'FAIL'} |`;

export const TABLE_HEAD = '| run | figure | real | predicted | |\n|---|---|---:|---:|---|\n';

/** Prints the round's table after its tests, when DRAINSIM_CALIBRATION_TABLE is set. */
export function printTableAfterAll(rows: HeldOutRow[], gaps: Record<string, Gap>): void {
  afterAll(() => {
    if (!process.env.DRAINSIM_CALIBRATION_TABLE) return;
    const passed = rows.filter(within).length;
    process.stdout.write(
      `${TABLE_HEAD}${rows.map((r) => tableLine(r, gaps)).join('\n')}\n\n${passed} of ${rows.length} rows within tolerance\n`,
    );
  });
}

/** Both pinned values of a known gap. */
export function expectPinned(r: HeldOutRow, gap: Gap): void {
  expect(r.real).toEqual(gap.real === null ? null : expect.closeTo(gap.real, 6));
  expect(r.predicted).toEqual(gap.predicted === null ? null : expect.closeTo(gap.predicted, 6));
}

/**
 * A test per row: within the tolerance, or a KNOWN GAP of `gaps` (named `gapsName` in the
 * message) still outside it with both values pinned.
 */
export function rowTests(rows: HeldOutRow[], gaps: Record<string, Gap>, gapsName: string): void {
  for (const r of rows) {
    const key = keyOf(r);
    const gap = gaps[key];
    if (gap)
      it(`KNOWN GAP ${key}: real ${show(r.real)}, predicted ${show(r.predicted)} (${gap.cause})`, () => {
        expect(within(r), `${key} is within tolerance now: move it out of ${gapsName}`).toBe(false);
        expectPinned(r, gap);
      });
    else
      it(`${key}: real ${show(r.real)}, predicted ${show(r.predicted)}`, () => {
        expect(within(r), `${key}: real ${show(r.real)}, predicted ${show(r.predicted)}`).toBe(true);
      });
  }
}

/** Every known gap names a row of the table. */
export function gapsAreRowsTest(rows: HeldOutRow[], gaps: Record<string, Gap>): void {
  it('the known gaps are rows of the table', () => {
    const keys = new Set(rows.map(keyOf));
    for (const k of Object.keys(gaps)) expect(keys.has(k), k).toBe(true);
  });
}

/** A recording's stamp: the commit its recorder ran from and whether its tree had uncommitted changes (calibration/lib/source-commit.mjs). */
export interface SourceStamped {
  stamp: { sourceCommit?: { commit?: string; dirty?: boolean } | null };
}

/**
 * One recording of a round, the blind commit its batch's predictions were committed in (null: not
 * set yet) and that batch's predictions file.
 */
export interface BlindRecording {
  run: string;
  data: SourceStamped;
  blind: string | null;
  predictions: string;
}

function gitAvailable(): boolean {
  try {
    execFileSync('git', ['rev-parse', 'HEAD'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A file as the commit `commit` holds it (git show). */
const fileAt = (commit: string, file: string): string =>
  execFileSync('git', ['show', `${commit}:${file}`], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

/**
 * The proof of blindness, for each recording: it was made from a descendant of its batch's blind
 * commit, from a clean tree (`sourceCommit.dirty` false: the twins, figures and predictions were
 * those of that commit), and today's predictions file is byte for byte the one committed at the
 * blind commit (a file deleted and re-written would pass writeBlindPredictions' guard). A
 * predictions file that keeps its figures' tolerances (`tolerances`, rounds from 14 on:
 * blindPredictionsWriter) must hold today's tolerances of `rows`, and each recorded run's twin is
 * byte for byte the one committed at the blind commit. git is asked inside the tests,
 * not while vitest collects (test/architecture/test-habits.test.ts); skipped where git is unavailable.
 */
export function blindAncestryTest(recorded: () => BlindRecording[], rows: HeldOutRow[] = []): void {
  it('every recording was made from a clean tree at a descendant of the blind commit (skipped without git)', (ctx) => {
    if (!gitAvailable()) ctx.skip();
    for (const { run, data, blind } of recorded()) {
      expect(blind, `${run}: set its batch's blind commit`).not.toBeNull();
      const source = data.stamp.sourceCommit;
      expect(source?.commit, `${run}: stamp.sourceCommit`).toBeTruthy();
      expect(source?.dirty, `${run}: recorded from a tree with uncommitted changes`).toBe(false);
      // Throws (exit 1) when the blind commit is not an ancestor of the recording's commit.
      execFileSync('git', ['merge-base', '--is-ancestor', blind as string, source?.commit as string], {
        stdio: 'ignore',
      });
    }
  });

  it('every batch’s predictions file is the one committed at its blind commit (skipped without git)', (ctx) => {
    if (!gitAvailable()) ctx.skip();
    const batches = new Map(recorded().map((r) => [`${r.blind}:${r.predictions}`, r]));
    expect(batches.size, 'no recording').toBeGreaterThan(0);
    for (const { blind, predictions } of batches.values()) {
      const now = readFileSync(predictions, 'utf8');
      expect(now === fileAt(blind as string, predictions), `${predictions} differs from ${blind}'s`).toBe(true);
      const stated = (JSON.parse(now) as { tolerances?: StatedTolerances }).tolerances;
      if (!stated) continue;
      for (const r of rows.filter((x) => runOf(x) in stated))
        expect(r.tolerance, `${keyOf(r)}: the tolerance stated in ${predictions}`).toEqual(stated[runOf(r)][r.figure]);
    }
  });

  it('every recorded run’s twin is the one committed at its blind commit (skipped without git)', (ctx) => {
    if (!gitAvailable()) ctx.skip();
    const runs = recorded();
    expect(runs.length, 'no recording').toBeGreaterThan(0);
    // The twin (calibration/scenarios/<run>.yaml) is the prediction's input: edited after the blind
    // commit, the pinned predictions would no longer be what today's twin gives. None of rounds
    // 9-19 has changed since (session 26); one that had to (the recorder's input read again) would
    // need an INPUT commit of its own and an explicit exception here naming it.
    // The one exception (session 33, an input read again): unset clients.http.idle_timeout became
    // the client library's own (node 5 s), so each twin states its recorder's client — a raw
    // net.Socket that never closes an idle connection — as `idle_timeout: 0s` under a comment line;
    // without those two lines a twin must still be its blind commit's. They are taken out of both
    // sides: a twin written since (round 28 on) has them at its blind commit already.
    const idle33 =
      /^[ \t]*# The recorder's client (?:is a raw net\.Socket: it|\(a raw net\.Socket\)) never closes an idle connection itself\.\n[ \t]*idle_timeout: 0s\n/gm;
    for (const { run, blind } of runs) {
      const twin = `calibration/scenarios/${run}.yaml`;
      const asBlind = readFileSync(twin, 'utf8').replace(idle33, '');
      const atBlind = fileAt(blind as string, twin).replace(idle33, '');
      expect(asBlind === atBlind, `${twin} differs from ${blind}'s`).toBe(true);
    }
  });
}

/**
 * What a round's rows were read with: each row's run, figure, real value and tolerance (not its
 * prediction, not its marking), hashed. Pinned in the round's test once recorded, it fails when a
 * figure's `real` function or tolerance is edited after the recording.
 */
export const definitionsDigest = (rows: HeldOutRow[]): string =>
  createHash('sha256')
    .update(JSON.stringify(rows.map((r) => [r.run, r.figure, r.real, r.tolerance])))
    .digest('hex')
    .slice(0, 16);

/**
 * The round's figures still read the recordings as when the digest was pinned. Rounds 9-13's
 * digests were pinned in session 22 after running each blind commit's own figure definitions
 * on the recordings: the same real values and tolerances (calibration/README.md "What the
 * blindness test checks").
 */
export function pinnedDefinitionsTest(rows: HeldOutRow[], pinned: string): void {
  it('the figures’ real values and tolerances are those pinned (the blind commit’s definitions)', () => {
    expect(
      definitionsDigest(rows),
      'a figure’s real function or tolerance changed after recording: a blind figure never changes',
    ).toBe(pinned);
  });
}
