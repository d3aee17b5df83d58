import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { World } from '../sim/model/core/world.js';
import { runScenario } from '../sim/run-scenario.js';
import { loadScenarioForCli, namedScenario } from '../sim/scenario/load-for-run.js';

v8.setFlagsFromString('--allow-natives-syntax');
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b);') as (a: object, b: object) => boolean;

describe('runScenario: every run’s scenario object has one map', () => {
  it('the second run in a process (a sweep worker’s) gives its World a scenario with the first run’s map', () => {
    // A spread ({ ...scenario, seed }) got one map on its first call and another once V8's clone IC
    // was warm, and every optimised function reading w.scenario deoptimised in the second run.
    const scenarios: object[] = [];
    const now = Object.getOwnPropertyDescriptor(World.prototype, 'now')!;
    Object.defineProperty(World.prototype, 'now', {
      configurable: true,
      get(this: World) {
        if (!scenarios.includes(this.scenario)) scenarios.push(this.scenario);
        return now.get!.call(this);
      },
    });
    try {
      const loaded = namedScenario(loadScenarioForCli('deep-check-slow-db'));
      runScenario(loaded, { seed: 1 });
      runScenario(loaded, { seed: 2 });
    } finally {
      Object.defineProperty(World.prototype, 'now', now);
    }
    expect(scenarios).toHaveLength(2);
    expect(sameMap(scenarios[0]!, scenarios[1]!)).toBe(true);
  });
});
