/** HAProxy's check state machine (rise/fall, inter/fastinter/downinter) on a model that is built but not started. */
import { describe, expect, it } from 'vitest';
import { HealthChecker, type CheckPolicy } from '../../../sim/model/lb/health-checker.js';
import { buildModel } from '../../../sim/run-scenario.js';
import { ScenarioSchema } from '../../../sim/scenario/schema.js';

const policy: CheckPolicy = {
  type: 'tcp',
  endpoint: 'shallow',
  inter: 2,
  fastinter: 1,
  downinter: 5,
  rise: 2,
  fall: 3,
  timeout: 1,
  dependencyTimeout: 0,
  onDependencyTimeout: 'unready',
};

describe('health checker', () => {
  it('marks a server DOWN after `fall` failures and UP after `rise` successes, checking faster while it changes', () => {
    const model = buildModel(ScenarioSchema.parse({ warmup: '0s', backends: [{ name: 'vm-a' }] }));
    const w = model.world;
    const nginx = w.backends[0].nginx;
    const changes: Array<[number, boolean]> = [];
    const checker = new HealthChecker(w, model.app, policy, (_b, up) => changes.push([w.now, up]));
    checker.start();
    // nginx stops listening at 3 s: checks at 4 (inter 2), then 5 and 6 (fastinter 1) fail.
    w.engine.at(3, () => nginx.stop(), null);
    // Back at 8 s: DOWN checks run every downinter (11), then fastinter (12) for the second success.
    w.engine.at(8, () => nginx.start(), null);
    w.engine.run(20);
    expect(changes).toEqual([
      [6, false],
      [12, true],
    ]);
    expect(checker.up[0]).toBe(1);
  });
});
