/**
 * `plan drain --vms … --check-with-sim`: runs the fleet scenario the plan's answer implies
 * (sim/plan/fleet/sim-check.ts) over a few seeds and sets its figures beside the plan's.
 */
import type { FleetPlan } from '../plan/fleet/fleet-plan.js';
import {
  compareWithSim,
  type FleetScenarioShape,
  impliedSets,
  type SimCheck,
  type SimulatedRollout,
} from '../plan/fleet/sim-check.js';
import { ResidualLife } from '../plan/residual-life.js';
import type { RunResult } from '../result.js';
import { runScenario } from '../run-scenario.js';
import type { Distribution } from '../scenario/distribution.js';
import { ScenarioError } from '../scenario/errors.js';
import type { LoadedScenario } from '../scenario/load.js';
import { loadScenarioForCli, namedScenario } from '../scenario/load-for-run.js';
import type { Scenario } from '../scenario/schema.js';
import { simTimeOf } from '../scenario/sim-time.js';
import { checkWorkBudget } from '../scenario/work-budget.js';
import type { CliIO } from './context.js';
import { limitsOf } from './limit-options.js';
import { progressReporter } from './progress.js';
import { stableFileName } from './simulate.js';

/** The built-in whose shape a fleet plan is checked against unless --scenario names another. */
export const DEFAULT_FLEET_SCENARIO = 'fleet-rolling-ws';

export function checkPlanWithSim(
  plan: FleetPlan,
  lifetime: Distribution,
  scenarioRef: string,
  seeds: number[],
  io: CliIO,
): SimCheck {
  const base = loadScenarioForCli(scenarioRef, [], { allowOutside: true });
  const sets = impliedSets(plan, ResidualLife.of(lifetime).integrated.mean, shapeOf(base));
  const loaded = loadScenarioForCli(scenarioRef, sets, { allowOutside: true });
  const scenario = namedScenario(loaded);
  const limits = limitsOf({});
  checkWorkBudget(scenario, loaded.file, limits);
  const runs: SimulatedRollout[] = [];
  for (const [i, seed] of seeds.entries()) {
    const progress = progressReporter(io, `simulating ${loaded.name} seed ${seed} (${i + 1}/${seeds.length})`);
    try {
      runs.push(
        rolloutOf(
          runScenario(scenario, {
            seed,
            file: stableFileName(loaded.file),
            onProgress: progress.update,
            budget: { ...limits, file: loaded.file },
          }),
        ),
      );
    } finally {
      progress.stop();
    }
  }
  return compareWithSim(plan, loaded.name, seeds, sets, runs);
}

function shapeOf(loaded: LoadedScenario<Scenario>): FleetScenarioShape {
  const s = loaded.scenario;
  const deployIndex = s.timeline.findIndex((a) => a.do === 'rolling_deploy');
  const deploy = s.timeline[deployIndex];
  if (deploy === undefined || deploy.do !== 'rolling_deploy') {
    throw new ScenarioError([
      {
        file: loaded.file,
        path: 'timeline',
        message: 'no rolling_deploy action: --check-with-sim needs a fleet scenario to write the plan into',
        suggestion: `--scenario ${DEFAULT_FLEET_SCENARIO}`,
      },
    ]);
  }
  return {
    backends: s.backends.map((b) => b.name),
    deployIndex,
    deployAt: simTimeOf(deploy.at, s.start, s.warmup),
    deployListsBackends: deploy.backends !== undefined,
  };
}

/** The plan's figures as one run measured them. */
function rolloutOf(result: RunResult): SimulatedRollout {
  const f = result.figures;
  const complete = result.events.find((e) => e.record.kind === 'deploy.rolling_complete')?.record;
  return {
    cut: f['ws_close_1006.total'] ?? 0,
    moved: f['ws_close_1001.total'] ?? 0,
    movedTwice: f['ws_moved_again.total'] ?? 0,
    reconnectPeak: f['reconnects.peak_per_s'] ?? 0,
    rolloutTime: complete?.kind === 'deploy.rolling_complete' ? complete.after : null,
  };
}
