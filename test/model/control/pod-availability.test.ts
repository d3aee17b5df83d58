/**
 * A new pod's availability as the Deployment controller reads it during a rollout: the new
 * ReplicaSet's status.availableReplicas, which the ReplicaSet controller recomputes from every
 * pod at each sync (replica_set_utils.go calculateStatus → pkg/api/v1/pod/util.go IsPodAvailable:
 * Ready, and the Ready condition's lastTransitionTime + minReadySeconds has passed). A NotReady
 * in between restarts the clock (the next Ready stamps a new lastTransitionTime), and a pod that
 * goes NotReady stops counting: rolling.go reconcileOldReplicaSets then lets fewer old pods go.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

/**
 * 3 replicas and a spare backend (pod-d), the Deployment defaults (maxSurge 1, maxUnavailable 0
 * on 3 replicas); the new release crashes `crashAfter` after each start, and without a readiness
 * probe a (re)started container is Ready at the PLEG relist that sees it running.
 */
function crashingRelease(crashAfter: string, minReady: string): ScenarioInput {
  return {
    horizon: '4m',
    clients: { requests: { rate: 300, timeout: '2s', retries: 0 } },
    app: { workers: 32, service_time: 'exp(mean=30ms)', startup_time: '1s' },
    lb: { mode: 'l4', retries: 0 },
    backends: [{ name: 'pod-a' }, { name: 'pod-b' }, { name: 'pod-c' }, { name: 'pod-d', state: 'detached' }],
    timeline: [
      {
        at: '30s',
        do: 'rollout',
        termination_grace_period: '30s',
        prestop_sleep: '10s',
        endpoint_propagation: 'uniform(1s, 5s)',
        min_ready_seconds: minReady,
        crash_after: crashAfter,
      },
    ],
  } as ScenarioInput;
}

describe('new pod availability (minReadySeconds)', () => {
  it('needs minReadySeconds of Ready without a break: a pod Ready only 21 s at a time lets no old pod go', () => {
    // pod-d is Ready at ~30.4 s, crashes at 51 s and is Ready again at ~52.4 s: at 60.4 s it is
    // Ready, but only since 52.4 s, so IsPodAvailable (lastTransitionTime + 30 s) is false; every
    // later Ready lasts 21 s too. No old pod may go (maxUnavailable 0): the rollout waits.
    const r = run(crashingRelease('20s', '30s'), 1);
    const ready = recordsOf(r, 'k8s.pod_ready');
    expect(ready.map((p) => p.pod)).toEqual(['pod-d']);
    expect(recordsOf(r, 'k8s.container_restarted').filter((c) => c.pod === 'pod-d').length).toBeGreaterThanOrEqual(2);
    expect(recordsOf(r, 'k8s.pod_terminating')).toHaveLength(0);
  });

  it('stops counting an available pod that went NotReady: the next old pod waits for it to be available again', () => {
    // pod-d is available at ~40.4 s (pod-a goes), pod-a's replacement is Ready at ~51.4 s and
    // available at ~61.4 s; but pod-d crashed at 56 s (NotReady) and is Ready again at ~57.4 s.
    // At 61.4 s the new ReplicaSet has 1 available pod, not 2: old 2 + new 1 = 3 = replicas −
    // maxUnavailable, so pod-b stays until pod-d has been Ready 10 s again.
    const r = run(crashingRelease('25s', '10s'), 1);
    const terminating = recordsOf(r, 'k8s.pod_terminating');
    const ready = recordsOf(r, 'k8s.pod_ready');
    const podDRestart = recordsOf(r, 'k8s.container_restarted').find((c) => c.pod === 'pod-d')!;
    const podD = ready.find((p) => p.pod === 'pod-d')!;
    const podA = ready.find((p) => p.pod === 'pod-a')!;
    expect(terminating.map((t) => t.pod).slice(0, 2)).toEqual(['pod-a', 'pod-b']);
    expect(terminating[0].t).toBeCloseTo(podD.t + 10, 9);
    // The regime: pod-d's crash comes after its availability and before pod-a's replacement's.
    expect(podDRestart.t).toBeGreaterThan(podD.t + 10);
    expect(podDRestart.t).toBeLessThan(podA.t + 10);
    // pod-b goes 10 s after pod-d's Ready again, not when pod-a's replacement became available.
    expect(terminating[1].t).toBeGreaterThanOrEqual(podDRestart.t + 10 - 1e-9);
    expect(terminating[1].t).toBeGreaterThan(podA.t + 10 + 1);
  });
});
