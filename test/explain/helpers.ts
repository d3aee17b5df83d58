/** A small run to explain: the report fixture's timeline with a scenario that matches it. */
import { RunFacts } from '../../sim/explain/run-facts.js';
import type { RunResult } from '../../sim/result.js';
import { type Scenario, type ScenarioInput, ScenarioSchema } from '../../sim/scenario/schema.js';
import { fixtureResult } from '../reports/fixture.js';

/** vm-a and vm-b from 14:00:00, vm-a deployed at 10 s (gate: fewer than 10 within 30 m). */
export function fixtureScenario(overrides: Partial<ScenarioInput> = {}): Scenario {
  return ScenarioSchema.parse({
    start: '14:00:00',
    horizon: '50s',
    sample_interval: '10s',
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    timeline: [{ at: '10s', do: 'deploy', backend: 'vm-a', gate: { threshold: 10, max_wait: '30m' } }],
    ...overrides,
  });
}

export function fixtureFacts(overrides: Partial<ScenarioInput> = {}): {
  facts: RunFacts;
  result: RunResult;
  scenario: Scenario;
} {
  const scenario = fixtureScenario(overrides);
  const result = fixtureResult();
  result.resolved = scenario;
  return { facts: new RunFacts(result, scenario), result, scenario };
}
