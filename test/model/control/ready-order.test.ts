/**
 * A pod's Ready condition changes reach the balancer in the order the kubelet wrote them
 * (kubelet.ts propagate: each arrival no earlier than the one before). The status manager
 * writes the pod's status, the EndpointSlice controller reconciles from the pod's current state
 * and kube-proxy applies the slice's latest version: a Ready written after a NotReady can never
 * be overtaken by it. With a propagation delay drawn per change (uniform 1-5 s) and a readiness
 * failure followed 1 s later by a pass, the pass's own draw is often the shorter one: out of
 * order, the NotReady would land last and leave the pod out of rotation for good.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { between, run, window } from '../helpers.js';

const scenario = {
  horizon: '45s',
  warmup: '0s',
  sample_interval: '100ms',
  clients: { requests: { rate: 100, timeout: '2s', retries: 0 } },
  lb: { mode: 'nat', retries: 0 },
  kubelet: { endpoint_propagation: 'uniform(1s, 5s)' },
  probes: { readiness: { type: 'http', period: '1s', failure_threshold: 1, timeout: '1s' } },
  backends: [{ name: 'pod-a' }, { name: 'pod-b' }],
  // The probe at 30.5 s times out (NotReady at 31.5 s), the one at 32 s passes (Ready at 32 s).
  timeline: [{ at: '30s', do: 'pause', backend: 'pod-b', duration: '2s' }],
} as ScenarioInput;

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];

describe('a NotReady then a Ready one second later, propagation uniform(1s, 5s)', () => {
  const runs = new Map<number, RunResult>();
  beforeAll(() => {
    for (const seed of SEEDS) runs.set(seed, run(scenario, seed));
  });

  for (const seed of SEEDS) {
    it(`the Ready lands at or after the NotReady: the pod is back in rotation for good (seed ${seed})`, () => {
      const r = runs.get(seed)!;
      const changes = recordsOf(r, 'k8s.readiness').filter((p) => p.pod === 'pod-b');
      expect(changes.map((p) => p.ready)).toEqual([false, true]);
      const readyAt = changes[1].t;
      // Both have arrived 5 s after the Ready was written (the longest draw): in service since.
      for (const v of window(r, 'in_service', readyAt + 5.1, 45, 'pod-b')) expect(v).toBe(1);
      expect(between(r, 'goodput', readyAt + 5.1, 45, 'pod-b')).toBeGreaterThan(300);
    });
  }
});
