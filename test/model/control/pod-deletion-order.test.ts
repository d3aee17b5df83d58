/**
 * The pod a rolling update's old ReplicaSet loses first: pkg/controller/replicaset/replica_set.go
 * getPodsToDelete sorts with pkg/controller/controller_utils.go ActivePodsWithRanks (not Ready
 * first; of Ready pods the one Ready more recently, on a log2 scale of its age; more restarts;
 * created more recently), not the order the pods are listed in.
 */
import { describe, expect, it } from 'vitest';
import { type DeletionFacts, deletedBefore, nextToDelete } from '../../../sim/model/control/pod-deletion-order.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

const old: DeletionFacts = { ready: true, readySince: -Infinity, restarts: 0, createdAt: -Infinity };

describe('ActivePodsWithRanks.Less as drainsim has it', () => {
  it('puts a pod that is not Ready first', () => {
    expect(deletedBefore({ ...old, ready: false }, old, 100)).toBe(true);
    expect(deletedBefore(old, { ...old, ready: false }, 100)).toBe(false);
  });

  it('of two Ready pods, the one Ready more recently, compared in log2 buckets of nanoseconds', () => {
    // Ready 10 s ago (2^33.2 ns) before one Ready 100 s ago (2^36.5) or before the run.
    expect(deletedBefore({ ...old, readySince: 90 }, { ...old, readySince: 0 }, 100)).toBe(true);
    expect(deletedBefore({ ...old, readySince: 90 }, old, 100)).toBe(true);
    // 10 s and 12 s ago: one bucket (33): UID order, the listed order here, whatever the restarts.
    expect(deletedBefore({ ...old, readySince: 90, restarts: 5 }, { ...old, readySince: 88 }, 100)).toBe(false);
    expect(deletedBefore({ ...old, readySince: 88 }, { ...old, readySince: 90, restarts: 5 }, 100)).toBe(false);
  });

  it('then the one with more restarts, then the one created more recently', () => {
    expect(deletedBefore({ ...old, restarts: 2 }, { ...old, restarts: 1 }, 100)).toBe(true);
    expect(deletedBefore({ ...old, createdAt: 50 }, old, 100)).toBe(true);
    expect(deletedBefore(old, old, 100)).toBe(false);
  });

  it('picks the first of the best-ranked pods', () => {
    const facts = [old, { ...old, restarts: 1 }, { ...old, restarts: 1 }];
    expect(nextToDelete([0, 1, 2], (b) => facts[b], 100)).toBe(1);
    expect(nextToDelete([0, 2], (b) => [old, old, old][b], 100)).toBe(0);
  });
});

describe('a rollout whose second-listed pod crash-loops', () => {
  it('terminates that pod first (not Ready, or Ready since its last restart), then the others in their order', () => {
    const r = run({
      warmup: '5s',
      horizon: '4m',
      clients: { requests: { rate: 50, timeout: '5s', retries: 0 } },
      app: { workers: 16, service_time: 'exp(mean=10ms)', startup_time: '2s' },
      lb: { mode: 'nat', retries: 0 },
      probes: { readiness: { type: 'http', period: '5s' } },
      backends: [{ name: 'pod-a' }, { name: 'pod-b', app: { crash_after: '20s' } }, { name: 'pod-c' }],
      timeline: [
        {
          at: '60s',
          do: 'rollout',
          max_surge: 0,
          max_unavailable: 1,
          crash_after: 0,
          termination_grace_period: '5s',
          endpoint_propagation: 'uniform(1s, 2s)',
        },
      ],
    });
    const order = recordsOf(r, 'k8s.pod_terminating').map((x) => x.pod);
    expect(order).toEqual(['pod-b', 'pod-a', 'pod-c']);
  });
});
