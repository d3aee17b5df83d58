/**
 * A sweep: one scenario run at every point of a grid of parameter values, each point with the
 * same seeds (common random numbers, so differences between points are the parameters' doing).
 */

/** One `--vary path=values` option. */
export interface Variation {
  /** As typed, for messages. */
  text: string;
  /** A `--set` path, e.g. `app.ws.session_ttl` or `backends.vm-a.weight`. */
  path: string;
  /** Values as `--set` reads them, e.g. `5m`, `3`, `true`, `exp(mean=2s)`. */
  values: string[];
}

/** What a sweep runs. Every machine of a sharded sweep must be given the same. */
export interface SweepSpec {
  /** The scenario as given: a built-in name or a path. */
  scenario: string;
  /** `--set` overrides applied to every run, before the varied value. */
  sets: string[];
  vary: Variation[];
  seeds: number[];
}

/** A value as it appears in a CSV cell. */
export type CellValue = string | number | boolean | null;

export interface SweepPoint {
  /** `path=value` overrides that make this point, one per variation. */
  sets: string[];
  /** Each varied value as the simulator resolved it: seconds for durations, the spec for a distribution. */
  resolved: CellValue[];
}

/** One finished run. */
export interface RunRecord {
  /** Index into the task list: point × seeds + seed index. */
  task: number;
  engineEvents: number;
  /** Figures by name; non-finite values are null, so a JSON round trip changes nothing. */
  figures: Record<string, number | null>;
}

/** Everything the sweep outputs are rendered from, whether run here or merged from shards. */
export interface SweepData {
  /** drainsim version that ran it. */
  version: string;
  /** Scenario name. */
  name: string;
  spec: SweepSpec;
  points: SweepPoint[];
  /** Digest of every point's resolved scenario: shards of one sweep must agree on it. */
  digest: string;
  /** Every run, in task order. */
  runs: RunRecord[];
}

/** (point, seed) of a task: tasks run point by point, the seeds in order within each. */
export function taskOf(spec: SweepSpec, task: number): { point: number; seed: number } {
  const n = spec.seeds.length;
  return { point: Math.floor(task / n), seed: spec.seeds[task % n]! };
}
