/**
 * The readiness probe that the relist's sync triggers for a new container is the worker's first
 * look at it: prober/worker.go doProbe stores the initial Failure for the new container ID, the
 * results manager publishes it (results_manager.go Set), and its update syncs the pod again after
 * the next relist (kubelet.go syncLoopIteration → handleProbeSync), whose UpdatePodStatus triggers
 * the probe once more (kubelet.ts initialReadinessSync). An app that listens between the two is
 * Ready about a relist after the container was seen, not a period later.
 */
import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../sim/engine/random.js';
import { RelistGrid } from '../../../sim/model/control/kubelet-timing.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

const AT = 30;

/** pod-c is created at AT in the spare slot; its app listens `listenAfter` seconds after the relist that sees it. */
function rollout(seed: number, listenAfter: number, initialDelay = '0s') {
  const pleg = new RelistGrid(0, new RandomStreams(seed).stream('k8s.pleg').next());
  const seen = AT + pleg.lagAfter(AT);
  const startup = seen + listenAfter - AT;
  const r = run(
    {
      warmup: '0s',
      horizon: '1m',
      clients: { requests: { rate: 20, timeout: '5s', retries: 0 } },
      app: { startup_time: `${startup.toFixed(6)}s` },
      lb: { mode: 'nat' },
      probes: { readiness: { period: '10s', initial_delay: initialDelay } },
      backends: [{ name: 'pod-a' }, { name: 'pod-b' }, { name: 'pod-c', state: 'detached' }],
      timeline: [{ at: `${AT}s`, do: 'rollout', pods: ['pod-a'], endpoint_propagation: 'const(1s)' }],
    } as ScenarioInput,
    seed,
  );
  const ready = recordsOf(r, 'k8s.readiness').find((x) => x.pod === 'pod-c' && x.ready);
  return { seen, ready };
}

describe("a new container's initial readiness result syncs the pod again", () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`an app listening 0.5 s after the relist that saw it is Ready at the next relist, not a period later (seed ${seed})`, () => {
      const { seen, ready } = rollout(seed, 0.5);
      expect(ready).toBeDefined();
      // The relist's probe is refused (the app listens 0.5 s later); the sync its initial Failure
      // brings runs after the next relist (seen + 1 s) and probes again: the HTTP answer takes 1 ms.
      // Before: the ticker the first trigger reset, seen + 10 s.
      expect(ready!.t - seen).toBeGreaterThan(1);
      expect(ready!.t - seen).toBeLessThan(1.1);
    });
  }

  it('within initialDelaySeconds the second trigger only resets the ticker: Ready a period after it', () => {
    const { seen, ready } = rollout(1, 0.5, '5s');
    expect(ready).toBeDefined();
    expect(ready!.t - (seen + 11)).toBeGreaterThanOrEqual(0);
    expect(ready!.t - (seen + 11)).toBeLessThan(0.05);
  });
});
