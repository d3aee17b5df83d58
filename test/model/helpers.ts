import type { RunResult } from '../../sim/result.js';
import { runScenario } from '../../sim/run-scenario.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { namedScenario } from '../../sim/scenario/load-for-run.js';
import { type Scenario, type ScenarioInput, ScenarioSchema } from '../../sim/scenario/schema.js';

/** A resolved scenario from an inline object (defaults filled by the real schema). */
export function scenario(input: ScenarioInput): Scenario {
  return ScenarioSchema.parse(input);
}

export function run(input: ScenarioInput, seed?: number): RunResult {
  return runScenario(scenario(input), { seed });
}

/** Run a built-in scenario by name, as `drainsim run <name>` would. */
export function runBuiltin(name: string, seed?: number, sets: string[] = []): RunResult {
  const loaded = loadScenario(name, ScenarioSchema, { sets });
  return runScenario(namedScenario(loaded), { seed, file: `scenarios/${name}.yaml` });
}

/** One timeline column for one entity, as [t, value] pairs. */
export function series(r: RunResult, name: string, entity = 'total'): Array<[number, number]> {
  const si = r.timeline.series.findIndex((s) => s.name === name);
  const ei = r.timeline.entities.indexOf(entity);
  if (si < 0 || ei < 0) throw new Error(`no series ${name}@${entity}`);
  const out: Array<[number, number]> = [];
  for (let i = 0; i < r.timeline.t.length; i++)
    if (r.timeline.entity[i] === ei) out.push([r.timeline.t[i], r.timeline.values[si][i]]);
  return out;
}

/** The value of a series at the sample ending at time t (nearest sample at or after t). */
export function valueAt(r: RunResult, name: string, t: number, entity = 'total'): number {
  const s = series(r, name, entity);
  const hit = s.find(([time]) => time >= t - 1e-9);
  if (!hit) throw new Error(`no sample at ${t}`);
  return hit[1];
}

export function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Series values with t in [from, to]. */
export function window(r: RunResult, name: string, from: number, to: number, entity = 'total'): number[] {
  return series(r, name, entity)
    .filter(([t]) => t >= from && t <= to)
    .map(([, v]) => v);
}

/** Sum of a counter over the samples ending in (from, to]. */
export function between(r: RunResult, name: string, from: number, to: number, entity = 'total'): number {
  return series(r, name, entity)
    .filter(([t]) => t > from && t <= to)
    .reduce((a, [, v]) => a + v, 0);
}

/**
 * Clients opening `arrival_rate` connections a second, paced, one request each and no retries;
 * `http` adds clients.http keys (or replaces these).
 */
export const pacedConnects = (arrival_rate: number, http: Record<string, unknown> = {}) => ({
  rtt: '1ms',
  http: { arrival_rate, arrivals: 'paced' as const, requests_per_connection: 'const(1)', retries: 0, ...http },
});
