/**
 * Held-out validation, round 4 (session 15): drainsim against HAProxy 2.6.12 runs aimed at the
 * seeds' classic failures (calibration/haproxy/holdout4.mjs): `balance source` over four servers
 * when one goes DOWN and comes back (map-based, consistent, consistent without avalanche);
 * cookie persistence with `option redispatch` through drain, maint and a killed server; checks
 * against a server with recurring stop-the-world pauses longer than `timeout check`; slowstart
 * under leastconn. Each twin (calibration/scenarios/haproxy-holdout4-*.yaml) and its prediction
 * (calibration/data/haproxy-holdout4-predictions.json, written by this file with
 * DRAINSIM_WRITE_HOLDOUT4=1) were committed before its run was recorded. Tolerances as the
 * earlier rounds: counts ±10 % (±2 near zero), times ±1 s (±0.1 s where the checks' own
 * arithmetic decides).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { twinRuns } from './heldout-table.js';
import { predictedFigures, RUNS } from './holdout4-figures.js';

const PREDICTIONS = 'calibration/data/haproxy-holdout4-predictions.json';

describe.runIf(process.env.DRAINSIM_WRITE_HOLDOUT4)('held-out round 4: predictions before recording', () => {
  it('writes every twin’s prediction (means over seeds 1–10)', () => {
    expect(existsSync(PREDICTIONS), 'blind predictions are written once').toBe(false);
    const predictions = Object.fromEntries(
      Object.values(RUNS).map((run) => [run, predictedFigures(run, twinRuns(`haproxy-holdout4-${run}`, 10))]),
    );
    const note =
      'drainsim predictions of the round-4 held-out twins (calibration/scenarios/haproxy-holdout4-*.yaml), means ' +
      'over seeds 1-10, written BEFORE any haproxy-holdout4 run was recorded (check phases: the model default ' +
      'inter*k/n). goodput_<server>_<from>_<to>: responses in (from, to] s; *_transitions: hc.down/hc.up times of ' +
      'seed 1; users_*: the twin balancer’s pick for client addresses 100.64.0.0-31.';
    writeFileSync(PREDICTIONS, `${JSON.stringify({ note, predictions }, null, 1)}\n`);
  });
});
