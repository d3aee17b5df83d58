/**
 * The [k8s] lines of a rollout's new pod in the order things happen (review 30 #4): the readiness
 * probe's success, then the pod's Ready (the kubelet's status: no endpoint is at the balancer
 * yet), the rollout's next step or its completion, and — kubelet.endpoint_propagation later — the
 * endpoint added at the load balancer (kubelet.ts propagate), its own line.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import { recordsOf } from '../../trace/records-of.js';
import { runBuiltin } from '../helpers.js';

describe("a rollout's new pod in the k8s lines (k8s-rolling-readiness)", () => {
  let r: RunResult;
  beforeAll(() => {
    r = runBuiltin('k8s-rolling-readiness');
  });

  it('logs Ready without claiming the endpoint, and the endpoint when it reaches the balancer', () => {
    const ready = recordsOf(r, 'k8s.pod_ready');
    const added = recordsOf(r, 'k8s.endpoint_added');
    expect(ready.map((p) => p.pod)).toEqual(['pod-a', 'pod-b', 'pod-c']);
    expect(added.map((p) => p.pod)).toEqual(['pod-a', 'pod-b', 'pod-c']);
    for (const line of r.events.filter((l) => l.record.kind === 'k8s.pod_ready'))
      expect(line.text).not.toContain('endpoint');
    ready.forEach((p, i) => {
      // uniform(1s, 5s) by default: at the balancer 1-5 s after the Ready, the delay it quotes.
      expect(added[i]!.t - p.t).toBeCloseTo(added[i]!.delay, 9);
      expect(added[i]!.delay).toBeGreaterThanOrEqual(1);
      expect(added[i]!.delay).toBeLessThanOrEqual(5);
    });
  });

  it("logs the readiness probe's success before the Ready and the rollout steps it sets off", () => {
    const k8s = r.events.filter((l) => l.source === 'k8s');
    for (const p of recordsOf(r, 'k8s.pod_ready')) {
      const probe = k8s.findIndex(
        (l) => l.record.kind === 'k8s.readiness' && l.t === p.t && l.text.includes(`pod ${p.pod}:`),
      );
      const readyAt = k8s.findIndex((l) => l.record === p);
      expect(probe, p.pod).toBeGreaterThanOrEqual(0);
      expect(probe, p.pod).toBeLessThan(readyAt);
    }
    const complete = k8s.findIndex((l) => l.record.kind === 'k8s.rollout_complete');
    const lastProbe = k8s.map((l) => l.record.kind).lastIndexOf('k8s.readiness');
    expect(complete).toBeGreaterThan(lastProbe);
  });
});
