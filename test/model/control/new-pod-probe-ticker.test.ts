/**
 * A rollout's new pod's readiness and liveness workers start with the pod
 * (pkg/kubelet/prober/prober_manager.go AddPod → worker.go run: time.NewTicker(periodSeconds) from
 * then), so its readiness probe ticks a whole number of periods after its creation, not on the
 * previous pod's (the backend's) ticker.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

function rolloutAt(at: number) {
  return run({
    warmup: '0s',
    horizon: '2m',
    clients: { requests: { rate: 50, timeout: '5s', retries: 0 } },
    app: { startup_time: '4s' },
    lb: { mode: 'nat' },
    probes: { readiness: { period: '10s' } },
    backends: [{ name: 'pod-a' }, { name: 'pod-b' }, { name: 'pod-c', state: 'detached' }],
    timeline: [{ at: `${at}s`, do: 'rollout', pods: ['pod-a'], endpoint_propagation: 'const(1s)' }],
  } as ScenarioInput);
}

describe("a new pod's probe ticker starts at its creation", () => {
  it('the first readiness pass of the new pod is a period after its creation, whatever the backend ticked before', () => {
    for (const at of [30, 33]) {
      const r = rolloutAt(at);
      // pod-c is created at `at` in the spare slot, its app listens 4 s later: the relist's
      // triggered probe (≤ 1 s after the start) is refused, the ticker's first tick passes.
      // The backend's old ticker (the scenario's 3rd pod: 6.67 s + k × 10 s) gave 36.67 / 46.67 s.
      const ready = recordsOf(r, 'k8s.readiness').find((x) => x.pod === 'pod-c' && x.ready)!;
      expect(ready).toBeDefined();
      // (The HTTP probe's own answer takes the app's 1 ms.)
      expect(ready.t).toBeGreaterThanOrEqual(at + 10);
      expect(ready.t).toBeLessThan(at + 10 + 0.05);
    }
  });
});
