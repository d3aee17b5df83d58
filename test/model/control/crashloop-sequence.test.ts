/**
 * CrashLoopBackOff in a run (kuberuntime_manager.go doBackOff + client-go flowcontrol.Backoff):
 * a container that crashes 50 s after each start is restarted at once, then 10, 20, 40, 80, 160,
 * 300 s after each crash; each restart comes at the pod worker's sync after that (its requeue's
 * jitter and the 1 s sync tick on top), plus the app's startup_time before it listens.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

function crashing(horizon: string) {
  return run({
    warmup: '5s',
    horizon,
    clients: { requests: { rate: 20, timeout: '5s', retries: 0 } },
    app: { workers: 8, service_time: 'exp(mean=10ms)', startup_time: '1s' },
    lb: { mode: 'nat', retries: 0 },
    backends: [{ name: 'pod-a', app: { crash_after: '50s' } }, { name: 'pod-b' }],
  });
}

describe('CrashLoopBackOff sequence', () => {
  let r: RunResult;
  let died: ReturnType<typeof recordsOf<'k8s.container_died'>>;
  let backoffs: ReturnType<typeof recordsOf<'k8s.crash_backoff'>>;
  let restarted: ReturnType<typeof recordsOf<'k8s.container_restarted'>>;
  beforeAll(() => {
    r = crashing('18m');
    died = recordsOf(r, 'k8s.container_died').filter((d) => d.pod === 'pod-a');
    backoffs = recordsOf(r, 'k8s.crash_backoff').filter((d) => d.pod === 'pod-a');
    restarted = recordsOf(r, 'k8s.container_restarted').filter((d) => d.pod === 'pod-a');
  });

  it('waits 0, 10, 20, 40, 80, 160, 300, 300 s after the successive crashes', () => {
    expect(backoffs.map((b) => b.delay)).toEqual([0, 10, 20, 40, 80, 160, 300, 300]);
  });

  it('restarts the first time when the PLEG relist sees the crash (within 1 s), listening startup_time later', () => {
    // pleg/generic.go: the kubelet learns of an exit at its next relist (genericPlegRelistPeriod 1 s).
    expect(backoffs[0].noticed).toBeGreaterThan(0);
    expect(backoffs[0].noticed).toBeLessThanOrEqual(1);
    expect(backoffs[0].t - died[0].t).toBeCloseTo(backoffs[0].noticed, 6);
    expect(restarted[0].t - died[0].t).toBeCloseTo(backoffs[0].noticed + 1, 6);
  });

  it('logs the crash as NotReady at the next relist, not at the death (the relist comes within 1 s)', () => {
    const lines = r.events.filter((e) => e.record.kind === 'k8s.container_died' && e.text.startsWith('pod pod-a:'));
    expect(lines).toHaveLength(died.length);
    for (const l of lines) expect(l.text).toContain("pod NotReady at the kubelet's next relist");
  });

  it("starts each later container at the pod worker's sync after the backoff's expiry, listening startup_time later", () => {
    // pod_workers.go completeWork (1.35): requeued wait.Jitter(left, 0.5) later, the left time
    // clamped to the 60 s resyncInterval, then taken at the next 1 s syncTicker tick: never before
    // the expiry, at most half the last requeue's left time (≤ 30 s) and a tick after it.
    const overshoots: number[] = [];
    for (let i = 1; i < restarted.length; i++) {
      const late = restarted[i].t - died[i].t - (backoffs[i].delay + 1);
      overshoots.push(late);
      expect(late).toBeGreaterThan(0);
      expect(late).toBeLessThanOrEqual(0.5 * Math.min(backoffs[i].delay, 60) + 1 + 1e-9);
      // It crashes 50 s after it listens.
      if (died[i + 1]) expect(died[i + 1].t - restarted[i].t).toBeCloseTo(50, 6);
    }
    // The jitter is no rounding error: on average a quarter of the left time (mean draw 0.5).
    const mean = overshoots.reduce((a, b) => a + b, 0) / overshoots.length;
    expect(mean).toBeGreaterThan(3);
  });
});

describe("a rollout's new pod", () => {
  it('starts with its own CrashLoopBackOff (new pod UID, new backoff key): its first crash restarts at once', () => {
    // pod-a crash-loops (waits 0, 10, 20 s) until the rollout replaces it at 100 s; the new pod
    // crashes 20 s after its own start too, and its sequence starts again at 0.
    const r = run({
      warmup: '5s',
      horizon: '4m',
      clients: { requests: { rate: 100, timeout: '10s', retries: 0 } },
      app: { workers: 32, service_time: 'exp(mean=10ms)', startup_time: '1s' },
      lb: { mode: 'nat', retries: 0 },
      backends: [{ name: 'pod-a', app: { crash_after: '20s' } }, { name: 'pod-b' }, { name: 'pod-c' }],
      timeline: [
        {
          at: '100s',
          do: 'rollout',
          max_surge: 0,
          max_unavailable: 1,
          termination_grace_period: '5s',
          endpoint_propagation: 'uniform(1s, 2s)',
        },
      ],
    });
    const a = recordsOf(r, 'k8s.crash_backoff').filter((d) => d.pod === 'pod-a');
    const ready = recordsOf(r, 'k8s.pod_ready').find((d) => d.pod === 'pod-a')!;
    expect(a.filter((d) => d.t < 100).map((d) => d.delay)).toEqual([0, 10, 20]);
    const newPod = a.filter((d) => d.t > ready.t);
    expect(newPod.slice(0, 3).map((d) => d.delay)).toEqual([0, 10, 20]);
    expect(newPod[0].restarts).toBe(0);
  });

  it('crashes crash_after after its own first start too (each start of the app counts)', () => {
    const r = run({
      warmup: '5s',
      horizon: '3m',
      clients: { requests: { rate: 100, timeout: '10s', retries: 0 } },
      app: { workers: 32, service_time: 'exp(mean=10ms)', startup_time: '1s' },
      lb: { mode: 'nat', retries: 0 },
      backends: [{ name: 'pod-a', app: { crash_after: '50s' } }, { name: 'pod-b' }],
      timeline: [
        {
          at: '30s',
          do: 'rollout',
          max_surge: 0,
          max_unavailable: 1,
          termination_grace_period: '5s',
          endpoint_propagation: 'uniform(1s, 2s)',
        },
      ],
    });
    const ready = recordsOf(r, 'k8s.pod_ready').find((d) => d.pod === 'pod-a')!;
    const died = recordsOf(r, 'k8s.container_died').filter((d) => d.pod === 'pod-a');
    // The old pod never reached 50 s; the new one listens at startup_time (1 s) after it is created.
    expect(died.length).toBeGreaterThan(0);
    expect(died[0].cause).toBe('crash');
    // Its process ran startup_time (1 s) and then crash_after (50 s).
    expect(died[0].ranFor).toBeCloseTo(51, 6);
    expect(died[0].t).toBeGreaterThan(ready.t);
  });
});
