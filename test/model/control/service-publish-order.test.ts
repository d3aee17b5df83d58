/**
 * Changes to a Service's pods reach kube-proxy in the order they were written to the API server,
 * across pods (control/k8s-endpoints.ts ServiceEndpoints.publishedAt). The EndpointSlice
 * controller syncs the Service, not the pod (kubernetes pkg/controller/endpointslice/
 * endpointslice_controller.go: updatePod / deletePod queue the Service's key; syncService lists
 * all its pods from the informer's cache, which holds the pod watch's events in write order), so
 * a slice that shows a pod written later also shows every pod written earlier. A rollout's new
 * pod's first Ready therefore reaches kube-proxy no earlier than the old pod's termination and
 * deletion written before it, on its own slot or another.
 *
 * Before session 27 the order was kept per backend slot and only between a pod's status changes
 * and its termination: the new pod's endpoint was added after its own draw, before the old pod's
 * deletion (its slot taken over early) or the other slot's termination.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { between, run } from '../helpers.js';

/**
 * pod-a and pod-b serve; the rollout replaces pod-a only. No readiness probe: a new pod is Ready
 * at the PLEG relist after its container started, and its Ready takes the kubelet's 1 s. The
 * rollout's own propagation (termination and deletion) is 20 s: the late ones.
 */
function rollout(extra: Record<string, unknown>, backends: unknown[]): RunResult {
  return run({
    warmup: '0s',
    horizon: '90s',
    clients: { requests: { rate: 50, timeout: '10s', retries: 0 } },
    app: { workers: 32, service_time: 'const(10ms)', startup_time: '1s' },
    lb: { mode: 'nat', retries: 0 },
    kubelet: { endpoint_propagation: 'const(1s)' },
    backends,
    timeline: [
      {
        at: '30s',
        do: 'rollout',
        pods: ['pod-a'],
        termination_grace_period: '30s',
        endpoint_propagation: 'const(20s)',
        ...extra,
      },
    ],
  } as ScenarioInput);
}

/** The one record of `pod` among `list`. */
function one<T extends { pod: string }>(list: T[], pod: string): T {
  const found = list.filter((e) => e.pod === pod);
  expect(found).toHaveLength(1);
  return found[0];
}

describe("a rollout's new pod written after the old pod's late deletion", () => {
  it("on the old pod's slot (max_surge 0): its endpoint is added when the old pod's deletion lands, not at its own 1 s", () => {
    // pod-a deleted at 30 s: preStop 10 s, SIGTERM at 40 s, exits at once (nothing slow in flight);
    // its termination lands at 35 s (5 s), its deletion 5 s after the exit (~45 s: nothing else on
    // its way then). The new pod on its slot is Ready at ~41 s (written after the exit and the
    // deletion, while the deletion travels): its endpoint lands with the deletion.
    const r = rollout({ max_surge: 0, max_unavailable: 1, prestop_sleep: '10s', endpoint_propagation: 'const(5s)' }, [
      { name: 'pod-a' },
      { name: 'pod-b' },
    ]);
    const removed = one(recordsOf(r, 'k8s.endpoint_removed'), 'pod-a');
    expect(removed.t).toBeCloseTo(35, 6);
    const exited = r.events.find((e) => e.text.includes('pod pod-a: containers exited'))!.t;
    expect(exited).toBeGreaterThanOrEqual(40);
    expect(exited).toBeLessThan(40.2);
    const ready = one(recordsOf(r, 'k8s.pod_ready'), 'pod-a');
    expect(ready.t).toBeGreaterThan(exited);
    expect(ready.t).toBeLessThan(exited + 2);
    const added = one(recordsOf(r, 'k8s.endpoint_added'), 'pod-a');
    // Old code: its own 1 s after the Ready (~42 s), held only to the termination on its slot
    // (per-slot statusArrival, before session 27).
    expect(added.t).toBeCloseTo(exited + 5, 6);
    expect(added.delay).toBeCloseTo(exited + 5 - ready.t, 6);
    // The new pod serves from then on, not before.
    expect(between(r, 'goodput', exited, added.t - 0.1, 'pod-a')).toBe(0);
    expect(between(r, 'goodput', added.t + 0.5, 90, 'pod-a')).toBeGreaterThan(500);
  });

  it("on a spare slot (max_surge 1): its endpoint is added when the old pod's termination lands, not at its own 1 s", () => {
    // max_unavailable 1: the controller creates the new pod on pod-c and deletes pod-a at 30 s.
    // The new pod is Ready at ~30.4 s, after pod-a's deletion was written (and before its exit at
    // 40 s, after its preStop): its endpoint waits for the termination (50 s).
    const r = rollout({ max_surge: 1, max_unavailable: 1, prestop_sleep: '10s' }, [
      { name: 'pod-a' },
      { name: 'pod-b' },
      { name: 'pod-c', state: 'detached' },
    ]);
    const removed = one(recordsOf(r, 'k8s.endpoint_removed'), 'pod-a');
    expect(removed.t).toBeCloseTo(50, 6);
    const ready = one(recordsOf(r, 'k8s.pod_ready'), 'pod-c');
    expect(ready.t).toBeGreaterThan(30);
    expect(ready.t).toBeLessThan(31);
    const added = one(recordsOf(r, 'k8s.endpoint_added'), 'pod-c');
    // Old code: ready.t + 1 s (~31.4 s); pod-a's termination was on another slot.
    expect(added.t).toBeCloseTo(50, 6);
    // The slices' order: the termination first, then the new endpoint in the same instant.
    const at = (rec: unknown): number => r.events.findIndex((l) => l.record === rec);
    expect(at(added)).toBeGreaterThan(at(removed));
  });
});
