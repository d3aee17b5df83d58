/**
 * The kubelet's triggered probe (HealthChecker.probeNow): pkg/kubelet/prober/worker.go run takes a
 * send on manualTriggerCh as it takes a tick — one probe at a time, the ticker keeping its phase,
 * the channel holding one trigger (or one tick) while a probe runs.
 */
import { describe, expect, it } from 'vitest';
import { type CheckPolicy, HealthChecker } from '../../../sim/model/lb/health-checker.js';
import { buildModel } from '../../../sim/run-scenario.js';
import { ScenarioSchema } from '../../../sim/scenario/schema.js';

const probe: CheckPolicy = {
  type: 'tcp',
  endpoint: 'shallow',
  inter: 10,
  fastinter: 10,
  downinter: 10,
  rise: 1,
  fall: 3,
  timeout: 1,
  dependencyTimeout: 0,
  onDependencyTimeout: 'unready',
  checker: 'kubelet',
  firstCheck: -1,
};

function setup(over: Partial<CheckPolicy>) {
  const model = buildModel(ScenarioSchema.parse({ warmup: '0s', backends: [{ name: 'pod-a' }] }));
  const w = model.world;
  const changes: Array<[number, boolean]> = [];
  const checker = new HealthChecker(w, model.app, { ...probe, ...over }, (_b, up) => changes.push([w.now, up]));
  return { model, w, changes, checker };
}

describe('kubelet probeNow (the readiness worker manualTriggerCh)', () => {
  it('probes at once, counts like a tick, and leaves the ticker on its phase', () => {
    const { w, changes, checker } = setup({});
    const nginx = w.backends[0].nginx;
    checker.start();
    // Ticks at 0, 10, 20, 30. Refused from 1 s: the tick at 10 fails, the triggered probes at 12
    // and 13 fail too — NotReady at 13 (ticks alone: at 30). Listening again from 15: the tick at
    // 20 passes (a ticker restarted by the trigger would pass at 23).
    w.engine.at(1, () => nginx.stop(), null);
    w.engine.at(12, () => checker.probeNow(0), null);
    w.engine.at(13, () => checker.probeNow(0), null);
    w.engine.at(15, () => nginx.start(), null);
    w.engine.run(29);
    expect(changes).toEqual([
      [13, false],
      [20, true],
    ]);
  });

  it('a trigger while a probe runs waits for it, and so does a tick, which keeps its place on the grid', () => {
    const { model, w, changes, checker } = setup({ type: 'http', inter: 2, fastinter: 2, downinter: 2, timeout: 1.5 });
    checker.start();
    // The app hangs from 0.5 s (the kernel still accepts): each probe times out 1.5 s after its start.
    w.engine.at(0.5, () => model.app.pause(w.backends[0], 100, 'SIGSTOP'), null);
    // Tick 2 runs until 3.5; the trigger at 2.5 runs then, until 5; tick 4 waits for it and runs
    // until 6.5: the third failure, NotReady at 6.5 (without the trigger: ticks 2, 4, 6 → 7.5).
    w.engine.at(2.5, () => checker.probeNow(0), null);
    w.engine.run(9);
    expect(changes.length).toBe(1);
    expect(changes[0][1]).toBe(false);
    expect(changes[0][0]).toBeCloseTo(6.5, 6);
  });

  it('HAProxy has no such trigger: probeNow changes nothing', () => {
    const { w, changes, checker } = setup({ checker: 'haproxy', inter: 2, fastinter: 2, downinter: 2, rise: 2 });
    w.backends[0].nginx.stop();
    checker.start();
    w.engine.at(0.5, () => checker.probeNow(0), null);
    w.engine.run(1);
    // Only the check at 0 ran (health rise → 0 at its failure): DOWN at 0, nothing at 0.5.
    expect(changes).toEqual([[0, false]]);
  });
});
