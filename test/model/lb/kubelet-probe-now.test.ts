/**
 * The kubelet's triggered probe (HealthChecker.probeNow): pkg/kubelet/prober/worker.go run takes a
 * send on manualTriggerCh as it takes a tick — one probe at a time, the channel holding one trigger
 * (or one tick) while a probe runs — and resets its ticker (`probeTicker.Reset(probeTickerPeriod)`,
 * PR #119089; in Kubernetes 1.35): the next tick is a period after the trigger, not on the old phase.
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
  it('probes at once, counts like a tick, and restarts the ticker from the trigger', () => {
    const { w, changes, checker } = setup({});
    const nginx = w.backends[0].nginx;
    checker.start();
    // Ticks at 0, 10. Refused from 1 s: the tick at 10 fails, the triggered probes at 12 and 13
    // fail too — NotReady at 13 (ticks alone: at 30). Each trigger resets the ticker: its next
    // tick is at 23, not 20 (the old phase). Listening again from 15: the tick at 23 passes.
    w.engine.at(1, () => nginx.stop(), null);
    w.engine.at(12, () => checker.probeNow(0), null);
    w.engine.at(13, () => checker.probeNow(0), null);
    w.engine.at(15, () => nginx.start(), null);
    w.engine.run(29);
    expect(changes).toEqual([
      [13, false],
      [23, true],
    ]);
  });

  it('after a trigger the tick of the old phase does not come: the next is a period after the trigger', () => {
    const { w, changes, checker } = setup({});
    w.backends[0].nginx.stop();
    // The failed-probe counter is the checker's only per-probe output (health-checker.ts finish()).
    const failed: number[] = [];
    const inc = w.metrics.inc.bind(w.metrics);
    w.metrics.inc = (id, b) => {
      if (id === w.c.checkFailures) failed.push(Math.round(w.now * 100) / 100);
      inc(id, b);
    };
    checker.start();
    // Refused throughout. Ticks at 0, 10 fail; the trigger at 12 fails (the 3rd: NotReady at 12)
    // and moves the ticker to 22, 32. A ticker kept on its phase would probe at 20 and 30.
    w.engine.at(12, () => checker.probeNow(0), null);
    w.engine.run(35);
    expect(changes).toEqual([[12, false]]);
    expect(failed).toEqual([0, 10, 12, 22, 32]);
  });

  it('a trigger within initialDelaySeconds probes nothing but still resets the ticker', () => {
    const { w, changes, checker } = setup({});
    w.backends[0].nginx.stop();
    checker.start();
    // doProbe returns before probing (the initial delay), after the select has reset the ticker:
    // ticks at 0, 10 fail, nothing at 12, then 22 fails — NotReady at 22 (the old phase: at 20).
    w.engine.at(12, () => checker.probeNow(0, false), null);
    w.engine.run(29);
    expect(changes).toEqual([[22, false]]);
  });

  it('a trigger while a probe runs waits for it; taking it resets the ticker, so the tick due meanwhile does not come', () => {
    const { model, w, changes, checker } = setup({ type: 'http', inter: 2, fastinter: 2, downinter: 2, timeout: 1.5 });
    checker.start();
    // The app hangs from 0.5 s (the kernel still accepts): each probe times out 1.5 s after its start.
    w.engine.at(0.5, () => model.app.pause(w.backends[0], 100, 'SIGSTOP'), null);
    // Tick 2 runs until 3.5; the trigger at 2.5 waits and is taken then: the ticker restarts
    // (next tick 5.5, so the tick at 4 never comes) and the probe runs until 5. Tick 5.5 runs
    // until 7: the third failure, NotReady at 7 (without the trigger: ticks 2, 4, 6 → 7.5; a
    // ticker kept on its phase: 6.5).
    w.engine.at(2.5, () => checker.probeNow(0), null);
    w.engine.run(9);
    expect(changes.length).toBe(1);
    expect(changes[0][1]).toBe(false);
    expect(changes[0][0]).toBeCloseTo(7, 6);
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
