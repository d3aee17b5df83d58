/**
 * A gone pod's deletion reaches kube-proxy no earlier than its termination (the endpoint's
 * `terminating` condition) sent before it: both are updates of one EndpointSlice, which
 * pkg/proxy/endpointslicecache.go applies in order (updatePending → checkoutChanges), so
 * k8s-rollout.ts deletionPropagates floors the deletion's arrival at the removal's.
 * Regime: one pod with a readiness probe (its replacement is Ready only after its 10-s start, so
 * kube-proxy keeps the old one as the terminating fallback: pkg/proxy/topology.go
 * CategorizeEndpoints), no preStop and nothing in flight, so it exits at its deletion, and both
 * delays drawn from uniform(1s, 8s): on about half of the seeds the deletion's own draw is the
 * shorter. Catches review41 E3: deletionPropagates without the `Math.max(…, pod.removalAt)` floor
 * (the deletion lands before the removal).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run } from '../helpers.js';

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];

function onePodRollout(seed: number): RunResult {
  return run(
    {
      warmup: '0s',
      horizon: '60s',
      clients: { requests: { rate: 20, timeout: '10s', retries: 0 } },
      app: { workers: 32, service_time: 'const(10ms)', startup_time: '10s' },
      probes: { readiness: { type: 'http' } },
      lb: { mode: 'nat', retries: 0 },
      backends: [{ name: 'pod-a' }],
      timeline: [
        {
          at: '20s',
          do: 'rollout',
          max_surge: 0,
          max_unavailable: 1,
          termination_grace_period: '30s',
          prestop_sleep: '0s',
          endpoint_propagation: 'uniform(1s, 8s)',
        },
      ],
    } as ScenarioInput,
    seed,
  );
}

const firstAt = (r: RunResult, kind: string): number | undefined =>
  r.events.find((e) => e.record.kind === kind && e.text.includes('pod-a'))?.t;

describe("a gone pod's endpoint deletion comes after its removal", () => {
  const runs = new Map<number, RunResult>();
  beforeAll(() => {
    for (const seed of SEEDS) runs.set(seed, onePodRollout(seed));
  });

  it('on every seed the deletion lands no earlier than the removal', () => {
    let floored = 0;
    for (const [seed, r] of runs) {
      const exited = firstAt(r, 'k8s.pod_ip_gone');
      const removed = firstAt(r, 'k8s.endpoint_removed');
      const deleted = firstAt(r, 'k8s.endpoint_deleted');
      expect(exited, `seed ${seed}`).toBeDefined();
      expect(removed, `seed ${seed}`).toBeDefined();
      expect(deleted, `seed ${seed}`).toBeDefined();
      expect(deleted!, `seed ${seed}`).toBeGreaterThanOrEqual(removed!);
      // The regime: the pod exited before its removal landed (at its deletion, nothing in flight).
      expect(exited!, `seed ${seed}`).toBeLessThan(removed!);
      if (Math.abs(deleted! - removed!) < 1e-9) floored++;
    }
    // The floor decided the arrival on some seeds (the deletion's own draw was the shorter).
    expect(floored).toBeGreaterThan(0);
  });
});
