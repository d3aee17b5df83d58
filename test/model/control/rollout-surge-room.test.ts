/**
 * With maxSurge 0 the Deployment controller scales the new ReplicaSet up at the sync after it has
 * scaled the old one down: NewRSNewReplicas (util/deployment_util.go) counts the ReplicaSets'
 * .Spec.Replicas (GetReplicaCountForReplicaSets), where a terminating pod no longer counts. So a
 * replacement that has a backend to go to is created when the old pod starts terminating, not
 * when it has exited (pkg/controller/deployment/rolling.go rolloutRolling).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

function surgeZero(
  spare: boolean,
  fenceposts: Record<string, unknown> = { max_surge: 0, max_unavailable: 1 },
): ScenarioInput {
  return {
    horizon: '3m',
    clients: { requests: { rate: 300, timeout: '2s', retries: 0 } },
    app: { workers: 32, service_time: 'exp(mean=30ms)', startup_time: '10s' },
    lb: { mode: 'l4', retries: 0 },
    // No readiness probe: a new pod is Ready at the PLEG relist after its creation (within 1 s).
    backends: [
      { name: 'pod-a' },
      { name: 'pod-b' },
      { name: 'pod-c' },
      ...(spare ? [{ name: 'pod-d', state: 'detached' }] : []),
    ],
    timeline: [
      {
        at: '30s',
        do: 'rollout',
        termination_grace_period: '30s',
        prestop_sleep: '10s',
        endpoint_propagation: 'uniform(1s, 5s)',
        ...fenceposts,
      },
    ],
  } as ScenarioInput;
}

describe('rollout with maxSurge 0', () => {
  it('creates the replacement in a free slot as the old pod starts terminating, not when it exits', () => {
    const r = run(surgeZero(true), 1);
    const terminating = recordsOf(r, 'k8s.pod_terminating');
    const ready = recordsOf(r, 'k8s.pod_ready');
    const exited = recordsOf(r, 'app.shutdown_complete');
    const podA = terminating.find((t) => t.pod === 'pod-a')!;
    const podD = ready.find((p) => p.pod === 'pod-d')!;
    const podAExit = exited.find((e) => e.backend === 'pod-a')!;
    expect(podA.t).toBeCloseTo(30, 9);
    // Created in the same instant as pod-a's deletion and, without a readiness probe, Ready at
    // the PLEG relist that sees its container running (within 1 s)…
    expect(podD.t).toBeGreaterThan(podA.t);
    expect(podD.t).toBeLessThanOrEqual(podA.t + 1);
    // …while pod-a is still in its preStop sleep: it exits 10 s later at the earliest.
    expect(podAExit.t).toBeGreaterThanOrEqual(podA.t + 10);
  });

  it('still waits for an old pod to go when no backend has room for the replacement', () => {
    const r = run(surgeZero(false), 1);
    const podA = recordsOf(r, 'k8s.pod_terminating').find((t) => t.pod === 'pod-a')!;
    const podAExit = recordsOf(r, 'app.shutdown_complete').find((e) => e.backend === 'pod-a')!;
    const firstReady = recordsOf(r, 'k8s.pod_ready')[0];
    expect(firstReady.pod).toBe('pod-a');
    expect(firstReady.t).toBeGreaterThanOrEqual(podAExit.t);
    expect(firstReady.t).toBeGreaterThanOrEqual(podA.t + 10);
  });
});

/**
 * The Deployment defaults on 3 replicas resolve to maxSurge 1 / maxUnavailable 0
 * (ResolveFenceposts). The controller creates the surge pod whether or not a node has room
 * (reconcileNewReplicaSet counts ReplicaSet specs); with none it is Pending, and
 * reconcileOldReplicaSets' maxScaledDown = allPods − minAvailable − newRSUnavailable = 4 − 3 − 1
 * = 0 lets no old pod go: the rollout waits for ever (ProgressDeadlineExceeded, no rollback).
 */
describe('rollout with the defaults (maxSurge 1, maxUnavailable 0)', () => {
  let stalled: RunResult;
  let roomy: RunResult;
  beforeAll(() => {
    stalled = run(surgeZero(false, {}), 1);
    roomy = run(surgeZero(true, {}), 1);
  });

  it('stalls with no room for the surge pod: it is Pending, and no old pod is deleted (before: an old pod went first)', () => {
    expect(recordsOf(stalled, 'k8s.rollout_start')[0]).toMatchObject({ surge: 1, unavailable: 0, spares: 0 });
    expect(recordsOf(stalled, 'k8s.pod_pending')).toMatchObject([{ pending: 1, terminating: 0 }]);
    expect(recordsOf(stalled, 'k8s.rollout_stalled')).toMatchObject([{ pending: 1, oldPods: 3 }]);
    expect(recordsOf(stalled, 'k8s.pod_terminating')).toHaveLength(0);
    expect(recordsOf(stalled, 'k8s.rollout_complete')).toHaveLength(0);
    expect(stalled.figures['errors.total'] ?? 0).toBe(0);
    // 3 minutes: before progressDeadlineSeconds (600 s).
    expect(recordsOf(stalled, 'k8s.progress_deadline')).toHaveLength(0);
  });

  it('reports ProgressDeadlineExceeded 601 s after it stalled, and still changes nothing', () => {
    const long = run(
      { ...surgeZero(false, {}), horizon: '11m', clients: { requests: { rate: 20, timeout: '2s', retries: 0 } } },
      1,
    );
    const stall = recordsOf(long, 'k8s.rollout_stalled');
    expect(stall).toHaveLength(1);
    const deadline = recordsOf(long, 'k8s.progress_deadline');
    expect(deadline).toHaveLength(1);
    // Its last progress was the Pending pod's creation, at the stall; the check comes 1 s after
    // the deadline (progress.go requeueStuckDeployment).
    expect(deadline[0].t).toBeCloseTo(stall[0].t + 600 + 1, 6);
    expect(recordsOf(long, 'k8s.pod_terminating')).toHaveLength(0);
  });

  it('with room, never stalls and reports no deadline', () => {
    expect(recordsOf(roomy, 'k8s.progress_deadline')).toHaveLength(0);
  });

  it('with room for one surge pod, the next new pod is Pending until the old pod it replaces has gone', () => {
    const pending = recordsOf(roomy, 'k8s.pod_pending');
    expect(pending.length).toBeGreaterThan(0);
    expect(pending.every((p) => p.terminating === 1)).toBe(true);
    expect(recordsOf(roomy, 'k8s.rollout_stalled')).toHaveLength(0);
    const podAExit = recordsOf(roomy, 'app.shutdown_complete').find((e) => e.backend === 'pod-a')!;
    const readyOnA = recordsOf(roomy, 'k8s.pod_ready').find((p) => p.pod === 'pod-a')!;
    expect(pending[0].t).toBeLessThan(podAExit.t);
    expect(readyOnA.t).toBeGreaterThanOrEqual(podAExit.t);
    expect(recordsOf(roomy, 'k8s.rollout_complete')).toHaveLength(1);
  });
});
