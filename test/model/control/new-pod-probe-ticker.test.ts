/**
 * A rollout's new pod's readiness and liveness workers start with the pod
 * (pkg/kubelet/prober/prober_manager.go AddPod → worker.go run: time.NewTicker(periodSeconds) from
 * then), so its readiness probe ticks a whole number of periods after its creation, not on the
 * previous pod's (the backend's) ticker — until a manual trigger resets it (worker.go run:
 * probeTicker.Reset), as the relist that sees the new container does, and again the sync that
 * the worker's initial result for the new container brings, a relist later (kubelet.ts
 * initialReadinessSync).
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

function rolloutAt(at: number, initialDelay = '0s') {
  return run({
    warmup: '0s',
    horizon: '2m',
    clients: { requests: { rate: 50, timeout: '5s', retries: 0 } },
    app: { startup_time: '4s' },
    lb: { mode: 'nat' },
    probes: { readiness: { period: '10s', initial_delay: initialDelay } },
    backends: [{ name: 'pod-a' }, { name: 'pod-b' }, { name: 'pod-c', state: 'detached' }],
    timeline: [{ at: `${at}s`, do: 'rollout', pods: ['pod-a'], endpoint_propagation: 'const(1s)' }],
  } as ScenarioInput);
}

describe("a new pod's probe ticker starts at its creation", () => {
  it('the first readiness pass of the new pod is a period after the probe its first relist triggered, whatever the backend ticked before', () => {
    const passes: number[] = [];
    for (const at of [30, 33]) {
      const r = rolloutAt(at);
      // pod-c is created at `at` in the spare slot, its app listens 4 s later. The relist that
      // sees the container (≤ 1 s after its start) triggers a probe, which is refused and resets
      // the worker's ticker; the sync its initial result brings, a relist later, triggers it again
      // (refused, ticker reset): the first tick, a period later, passes. The backend's old ticker
      // (the scenario's 3rd pod: 6.67 s + k × 10 s) gave 36.67 / 46.67 s; a ticker left on the
      // pod's creation (before the resets) gave at + 10 s.
      const ready = recordsOf(r, 'k8s.readiness').find((x) => x.pod === 'pod-c' && x.ready)!;
      expect(ready).toBeDefined();
      // (The HTTP probe's own answer takes the app's 1 ms.)
      const offset = ready.t - 0.001 - (at + 10);
      expect(offset).toBeGreaterThan(1 + 1e-6);
      expect(offset).toBeLessThanOrEqual(2 + 1e-6);
      passes.push(offset);
    }
    // One kubelet, one relist grid: the same offset from a creation at a whole second.
    expect(passes[1]).toBeCloseTo(passes[0], 6);
  });

  it('a trigger within initialDelaySeconds probes nothing but resets the ticker all the same', () => {
    // initialDelaySeconds 5: the relist's trigger (≤ 1 s after the start) and the next relist's
    // are taken by the worker's select, which resets the ticker, and doProbe returns before
    // probing. The first tick, a period after the second trigger, passes (the app listens at 4 s).
    // Without the resets: at + 10 s.
    const r = rolloutAt(30, '5s');
    const ready = recordsOf(r, 'k8s.readiness').find((x) => x.pod === 'pod-c' && x.ready)!;
    expect(ready).toBeDefined();
    const offset = ready.t - 0.001 - 40;
    expect(offset).toBeGreaterThan(1 + 1e-6);
    expect(offset).toBeLessThanOrEqual(2 + 1e-6);
  });
});
