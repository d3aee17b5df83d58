/**
 * One probe at a time per kubelet probe worker (pkg/kubelet/prober/worker.go run: one goroutine, one
 * select; doProbe runs to its end before the next case is taken). review26 #3: when a probe's result
 * made the kubelet trigger another at once (a NotReady's pod sync → probeNow) while a trigger was
 * already waiting, the checker ran the re-entrant probe and then started the waiting one too, two
 * probes in flight on one worker. Now what waits stays queued for the running probe's end.
 */
import { expect, it } from 'vitest';
import { type CheckPolicy, HealthChecker } from '../../../sim/model/lb/health-checker.js';
import { buildModel } from '../../../sim/run-scenario.js';
import { ScenarioSchema } from '../../../sim/scenario/schema.js';

const probe: CheckPolicy = {
  type: 'http',
  endpoint: 'shallow',
  inter: 10,
  fastinter: 10,
  downinter: 10,
  rise: 1,
  fall: 2,
  timeout: 1,
  dependencyTimeout: 0,
  onDependencyTimeout: 'unready',
  checker: 'kubelet',
  firstCheck: -1,
};

it('a NotReady that triggers a probe at once, with a trigger already waiting: the probes follow each other', () => {
  const model = buildModel(ScenarioSchema.parse({ warmup: '0s', backends: [{ name: 'pod-a' }] }));
  const w = model.world;
  const changes: Array<[number, boolean]> = [];
  // The kubelet's sync at a NotReady runs the readiness probe again at once (kube21, 1d36dc9).
  const checker: HealthChecker = new HealthChecker(w, model.app, probe, (_b, up) => {
    changes.push([w.now, up]);
    if (!up) checker.probeNow(0);
  });
  // The failed-probe counter is the checker's only per-probe output (health-checker.ts finish()).
  const failed: number[] = [];
  const inc = w.metrics.inc.bind(w.metrics);
  w.metrics.inc = (id, b) => {
    if (id === w.c.checkFailures) failed.push(Math.round(w.now * 1000) / 1000);
    inc(id, b);
  };
  checker.start();
  // The app hangs from 0.5 s (the kernel still accepts): every probe times out 1 s after it starts.
  w.engine.at(0.5, () => model.app.pause(w.backends[0], 100, 'SIGSTOP'), null);
  // Ticks at 0 (passes) and 10 (fails at 11); a trigger at 12 probes (fails at 13), a second one
  // sent while it runs waits. At 13 the second failure (fall 2): NotReady, whose sync triggers a
  // probe at once (13 → 14); the waiting trigger is taken at its end (14 → 15). Two probes at
  // once would end both at 14.
  w.engine.at(
    12,
    () => {
      checker.probeNow(0);
      checker.probeNow(0);
    },
    null,
  );
  w.engine.run(19);
  expect(changes).toEqual([[13, false]]);
  expect(failed).toEqual([11, 13, 14, 15]);
});
