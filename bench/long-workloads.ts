/**
 * Issue 14's long workloads by name, each in its own child like every workload (so its peak RSS is
 * its own): `npm run bench -- --workload steady-24h`. On demand only: a plain `npm run bench` runs
 * the fleet and steady pairs already (bench/side-by-side.ts), and these take minutes.
 *
 * fleet-*: the simulation alone, as the side-by-side fleet pair times it. steady-*: what
 * `drainsim run <steady> --format none` does — simulate, then write all four files (into a
 * temporary folder, removed after) — because the timeline and the event log grow with the horizon
 * in the writers as much as in the model.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileReports, writeReports } from '../reports/index.js';
import { runScenario } from '../sim/run-scenario.js';
import { loadScenarioForCli, namedScenario } from '../sim/scenario/load-for-run.js';
import { fleetScenario, steadyScenario, writeScenario } from './bench-scenarios.js';
import type { Workload, WorkloadResult } from './workload.js';

function simulate(name: string, text: string, writeFiles: boolean): WorkloadResult {
  const file = writeScenario(name, text);
  const out = writeFiles ? mkdtempSync(path.join(os.tmpdir(), 'drainsim-bench-run-')) : null;
  try {
    const result = runScenario(namedScenario(loadScenarioForCli(file)));
    if (out !== null) writeReports(result, { outDir: out, formats: Object.keys(fileReports) });
    return {
      events: result.engineEvents,
      simSeconds: result.horizon,
      requests: result.figures['requests.total'] ?? 0,
      samples: result.timeline.t.length / result.timeline.entities.length,
    };
  } finally {
    rmSync(path.dirname(file), { recursive: true, force: true });
    if (out !== null) rmSync(out, { recursive: true, force: true });
  }
}

const fleet = (horizon: string): Workload => ({
  name: `fleet-${horizon}`,
  description: `issue 14 fleet, ${horizon}: 20 backends, 50k WS + 5k req/s, one drain (simulation only)`,
  onDemand: true,
  run: () => simulate(`fleet-${horizon}`, fleetScenario(horizon), false),
});

const steady = (horizon: string): Workload => ({
  name: `steady-${horizon}`,
  description: `~300 keepalive clients, ${horizon} simulated, simulation and all four files written`,
  onDemand: true,
  run: () => simulate(`steady-${horizon}`, steadyScenario(horizon), true),
});

export const longWorkloads: readonly Workload[] = [fleet('5m'), fleet('1h'), steady('1h'), steady('24h')];
