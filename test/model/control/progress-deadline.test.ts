/**
 * A Deployment reports a rollout that does not move whatever holds it: with no progress for
 * progressDeadlineSeconds (600 s) its Progressing condition turns False, reason
 * ProgressDeadlineExceeded (pkg/controller/deployment/progress.go syncRolloutStatus,
 * util/deployment_util.go DeploymentTimedOut), found by the check requeueStuckDeployment schedules
 * 1 s after the deadline. Progress (DeploymentProgressing) is any rise of the new ReplicaSet's
 * pods, of the Deployment's ready or available pods, or a fall of the old ReplicaSets' active
 * pods: a pod that comes back Ready, new or old, puts the deadline off.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

/**
 * k8s-rolling-surge-fixed's rollout (3 replicas, spare pod-d, maxSurge 1 / maxUnavailable 0,
 * minReadySeconds 10 s, readiness probe) at a low rate, with a new release that takes 20 min to
 * listen: its pod on pod-d is never Ready, so no old pod may go.
 */
function neverReady(extra: ScenarioInput['timeline'] = []): ScenarioInput {
  return {
    horizon: '17m',
    clients: { requests: { rate: 20, timeout: '2s', retries: 0 } },
    // The old pods have run since before the start; only a new pod waits its startup_time.
    app: { workers: 32, service_time: 'exp(mean=30ms)', startup_time: '20m' },
    lb: { mode: 'l4', retries: 0 },
    probes: { readiness: { type: 'http' } },
    backends: [{ name: 'pod-a' }, { name: 'pod-b' }, { name: 'pod-c' }, { name: 'pod-d', state: 'detached' }],
    timeline: [
      {
        at: '30s',
        do: 'rollout',
        termination_grace_period: '30s',
        prestop_sleep: '10s',
        endpoint_propagation: 'uniform(1s, 5s)',
        min_ready_seconds: '10s',
      },
      ...(extra ?? []),
    ],
  } as ScenarioInput;
}

describe('progress deadline of a rollout whose new pod is never Ready', () => {
  let stuck: RunResult;
  let oldPodBack: RunResult;
  beforeAll(() => {
    stuck = run(neverReady(), 1);
    // pod-a (old) stops answering for 60 s from 5 min: its readiness probe fails, it is NotReady,
    // then Ready again when it answers: the old ReplicaSet's readyReplicas rises.
    oldPodBack = run(neverReady([{ at: '5m', do: 'pause', backend: 'pod-a', duration: '60s' }]), 1);
  });

  it('reports ProgressDeadlineExceeded 601 s after its last progress (before: nothing in 17 min)', () => {
    // The last progress is the new pod's creation at 30 s: the new ReplicaSet's pods rose.
    expect(recordsOf(stuck, 'k8s.pod_ready')).toHaveLength(0);
    expect(recordsOf(stuck, 'k8s.pod_terminating')).toHaveLength(0);
    // Not a Pending stall: the new pod had room (pod-d).
    expect(recordsOf(stuck, 'k8s.pod_pending')).toHaveLength(0);
    expect(recordsOf(stuck, 'k8s.rollout_stalled')).toHaveLength(0);
    const deadline = recordsOf(stuck, 'k8s.progress_deadline');
    expect(deadline).toHaveLength(1);
    expect(deadline[0].t).toBeCloseTo(30 + 600 + 1, 6);
    expect(recordsOf(stuck, 'k8s.rollout_complete')).toHaveLength(0);
  });

  it('an old pod Ready again is progress, and so is its availability: the deadline counts from them', () => {
    const podA = recordsOf(oldPodBack, 'k8s.readiness').filter((r) => r.pod === 'pod-a');
    // The regime: pod-a went NotReady in its pause and came back Ready after it, before 631 s.
    expect(podA.map((r) => r.ready)).toEqual([false, true]);
    const back = podA[1].t;
    expect(back).toBeGreaterThan(360);
    expect(back).toBeLessThan(400);
    const deadline = recordsOf(oldPodBack, 'k8s.progress_deadline');
    expect(deadline).toHaveLength(1);
    // Ready again (readyReplicas up), then available 10 s later (availableReplicas up): the
    // deadline is 601 s after the later of the two, not at 631 s.
    expect(deadline[0].t).toBeCloseTo(back + 10 + 600 + 1, 6);
  });
});

describe('progress deadline of a rollout whose new pod keeps coming back Ready', () => {
  it('is put off by each Ready again: a crash-looping pod never available reports none while its restarts come within 600 s', () => {
    const input = neverReady();
    // The new release listens after 1 s and crashes 20 s after each start; minReadySeconds 30 min
    // means it is never available, so no old pod goes. CrashLoopBackOff's delay is capped at
    // 300 s: every restart's Ready comes within 600 s of the one before.
    input.app = { ...input.app, startup_time: '1s' };
    const first = input.timeline![0] as Record<string, unknown>;
    first.min_ready_seconds = '30m';
    first.crash_after = '20s';
    const r = run(input, 1);
    const ready = recordsOf(r, 'k8s.readiness').filter((x) => x.pod === 'pod-d' && x.ready);
    expect(ready.length).toBeGreaterThanOrEqual(4);
    expect(recordsOf(r, 'k8s.pod_terminating')).toHaveLength(0);
    expect(recordsOf(r, 'k8s.progress_deadline')).toHaveLength(0);
  });
});
