/**
 * Before any run starts: every grid point is loaded and validated here, so a bad `--vary` value
 * is reported precisely (naming the option and the value) and nothing runs. The varied values
 * are read back as resolved, and the resolved scenarios are digested so that shards of one sweep
 * can prove they ran the same thing.
 */
import { createHash } from 'node:crypto';
import { ScenarioError } from '../scenario/errors.js';
import { loadScenarioForCli } from '../scenario/load-for-run.js';
import { toPlain } from '../scenario/to-plain.js';
import { estimateWork } from '../scenario/work-budget.js';
import { SweepError } from './errors.js';
import { gridPoints } from './grid.js';
import { resolvedValue } from './resolved-value.js';
import type { SweepPoint, SweepSpec } from './types.js';

export interface PreparedSweep {
  name: string;
  spec: SweepSpec;
  points: SweepPoint[];
  digest: string;
  /** Digest of each point's resolved scenario (keys of a shard's checkpoint). */
  pointDigests: string[];
  /** Each point's estimated engine events per run (work-budget.ts): the pool runs the largest first. */
  pointWork: number[];
}

/** Most runs one sweep may hold; a grid beyond this is a typo in a step. */
export const MAX_RUNS = 1_000_000;

export function prepareSweep(spec: SweepSpec): PreparedSweep {
  checkSpec(spec);
  const grid = gridPoints(spec.vary);
  if (grid.length * spec.seeds.length > MAX_RUNS) {
    throw new SweepError(
      `${grid.length} points × ${spec.seeds.length} seeds = ${grid.length * spec.seeds.length} runs; at most ${MAX_RUNS}`,
    );
  }
  const hash = createHash('sha256');
  let name = '';
  const pointDigests: string[] = [];
  const pointWork: number[] = [];
  const points = grid.map((sets): SweepPoint => {
    const loaded = loadPoint(spec, sets);
    name = loaded.name;
    const resolvedScenario = JSON.stringify(toPlain(loaded.scenario));
    hash.update(resolvedScenario);
    pointDigests.push(createHash('sha256').update(resolvedScenario).digest('hex'));
    pointWork.push(estimateWork(loaded.scenario).events);
    // A variable is not in the validated scenario (it was substituted into it): read it from vars.
    return {
      sets,
      resolved: spec.vary.map((v) =>
        resolvedValue(v.path.startsWith('vars.') ? { vars: loaded.vars } : loaded.scenario, v.path),
      ),
    };
  });
  return { name, spec, points, digest: hash.digest('hex'), pointDigests, pointWork };
}

/** The overrides of one run: the common `--set`s, then the point's values. */
export function pointSets(spec: SweepSpec, point: SweepPoint): string[] {
  return [...spec.sets, ...point.sets];
}

function loadPoint(spec: SweepSpec, sets: string[]) {
  try {
    return loadScenarioForCli(spec.scenario, [...spec.sets, ...sets]);
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    // The loader blames `--set path=value`; the user typed a --vary.
    const issues = err.issues.map((issue) => {
      const i = sets.findIndex((s) => issue.file === `--set ${s}`);
      return i < 0
        ? issue
        : { ...issue, file: `--vary ${spec.vary[i]!.text} (value ${sets[i]!.slice(spec.vary[i]!.path.length + 1)})` };
    });
    throw new ScenarioError(issues);
  }
}

function checkSpec(spec: SweepSpec): void {
  if (spec.vary.length === 0) throw new SweepError('nothing to vary: give at least one --vary path=v1,v2,…');
  const paths = new Set<string>();
  for (const v of spec.vary) {
    if (paths.has(v.path))
      throw new SweepError(`--vary ${v.text}: ${v.path} is varied twice; list all its values in one --vary`);
    paths.add(v.path);
  }
  if (spec.seeds.length === 0) throw new SweepError('--seeds must be at least 1');
}
