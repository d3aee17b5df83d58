/**
 * Held-out validation, round 6 (session 17, chk17c): a blind test of the check timer tree
 * (calibration/haproxy/holdout6.mjs). Main's model keeps only the check tasks in the shared tree
 * (sim/model/lb/check-wait-queue.ts); the side branch chk17b-model adds the end-of-check requeue,
 * process_resolvers() from HAProxy's start (`lb.uptime`) and idle_conn_task (NOTES.md items 33-35).
 * Each twin (calibration/scenarios/haproxy-holdout6-*.yaml) and both models' predictions
 * (calibration/data/haproxy-holdout6-predictions.json: main's one row, chk17b-model's as a table
 * over `lb.uptime`, which only the recording's stamp gives) were committed before any run was
 * recorded. DRAINSIM_WRITE_HOLDOUT6=<model label> writes the running tree's predictions under that
 * label (the scenario's lb.uptime set on the parsed twin: main's model reads no such key).
 * Tolerances as the earlier rounds: counts ±10 % (±2 near zero), times ±1 s.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import type { RunResult } from '../../sim/result.js';
import { runScenario } from '../../sim/run-scenario.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { namedScenario } from '../../sim/scenario/load-for-run.js';
import { ScenarioSchema } from '../../sim/scenario/schema.js';
import { recordsOf } from '../trace/records-of.js';
import { overSeeds } from './heldout-table.js';
import { transitions } from './holdout4-figures.js';

const PREDICTIONS = 'calibration/data/haproxy-holdout6-predictions.json';
export const RUNS6 = ['hang-tcheck-http', 'gcpause-tcheck-http', 'tcheck-2srv-http'] as const;
/** HAProxy's start before t0 (s) at which the uptime-aware model is predicted: 0.05 … 3 s. */
const UPTIMES = Array.from({ length: 60 }, (_, i) => Math.round((i + 1) * 50) / 1000);
const PREDICTION_SEEDS = 5;

/** A round-6 twin over seeds 1…n; `uptime` (s) set as lb.uptime on the parsed scenario when given. */
export function twinRuns6(run: string, seeds: number, uptime?: number): RunResult[] {
  const file = `calibration/scenarios/haproxy-holdout6-${run}.yaml`;
  const parsed = namedScenario(loadScenario(file, ScenarioSchema));
  const scenario = uptime === undefined ? parsed : { ...parsed, lb: { ...parsed.lb, uptime } };
  return Array.from({ length: seeds }, (_, i) => runScenario(scenario, { seed: i + 1, file }));
}

/** What a twin predicts: s1's DOWNs (mean), its DOWN/UP times and the DOWN checks' durations (seed 1), failed requests (mean). */
export function predicted6(runs: RunResult[]): Record<string, unknown> {
  return {
    s1_downs: overSeeds(runs, (r) => recordsOf(r, 'hc.down').filter((x) => x.backend === 's1').length),
    s1_transitions: transitions(runs[0], 's1'),
    s1_down_check_ms: recordsOf(runs[0], 'hc.down')
      .filter((r) => r.backend === 's1')
      .map((r) => r.durationMs),
    errors: overSeeds(runs, (r) => r.figures['errors.total'] ?? 0),
  };
}

const label = process.env.DRAINSIM_WRITE_HOLDOUT6;
describe.runIf(label)('held-out round 6: predictions before recording', () => {
  it(`writes ${label}'s predictions (seeds 1-${PREDICTION_SEEDS}), as a table over lb.uptime`, () => {
    const kept = existsSync(PREDICTIONS)
      ? (JSON.parse(readFileSync(PREDICTIONS, 'utf8')) as { models: Record<string, unknown> })
      : { models: {} };
    if (label! in kept.models) throw new Error(`${label}: blind predictions are kept as first written`);
    const uptimeAware = label !== 'main';
    const rows = Object.fromEntries(
      RUNS6.map((run) => [
        run,
        uptimeAware
          ? Object.fromEntries(UPTIMES.map((u) => [u.toFixed(3), predicted6(twinRuns6(run, PREDICTION_SEEDS, u))]))
          : { any: predicted6(twinRuns6(run, PREDICTION_SEEDS)) },
      ]),
    );
    const note =
      'drainsim predictions of the round-6 held-out twins (calibration/scenarios/haproxy-holdout6-*.yaml), written ' +
      'BEFORE any run was recorded. Per model, per run: keyed by lb.uptime (s, how long HAProxy had run at the ' +
      "clients' t0; main's model has no such key: one row, \"any\"). To be read at the recording's uptime = " +
      "-(t of s1's first logged check - its check duration) (start_checks(): s1's first check at HAProxy's start; " +
      'stamp.haproxySpawnedT as a check), at the nearest 50-ms grid point. s1_downs / errors: means over seeds 1-5; ' +
      's1_transitions ([kind, t]) / s1_down_check_ms: seed 1.';
    writeFileSync(PREDICTIONS, `${JSON.stringify({ note, models: { ...kept.models, [label!]: rows } }, null, 1)}\n`);
  });
});
