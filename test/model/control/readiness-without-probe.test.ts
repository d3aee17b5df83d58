/**
 * A container without a readiness probe is Ready as soon as it runs (pkg/kubelet/prober/
 * prober_manager.go UpdatePodStatus: "no readinessProbe -> always ready"), whether its app
 * listens or not: kubelet.ts maybeReady.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run, runBuiltin, series } from '../helpers.js';

describe('a rollout pod without a readiness probe (k8s-rolling-no-readiness)', () => {
  let r: RunResult;
  beforeAll(() => {
    r = runBuiltin('k8s-rolling-no-readiness');
  });

  it('is Ready, and bound, at the PLEG relist after its creation, well before its app listens', () => {
    const ready = recordsOf(r, 'k8s.pod_ready');
    expect(ready).toHaveLength(3);
    for (const p of ready) expect(p.listening).toBe(false);
    // Each old pod's exit frees the slot and the new pod is Ready at once: within the grace period.
    const terminating = recordsOf(r, 'k8s.pod_terminating');
    ready.forEach((p, i) => expect(p.t - terminating[i].t).toBeLessThan(30 + 1e-6));
  });

  it('refuses the connections sent to it while its app starts (10 s per pod)', () => {
    const refused = series(r, 'err_econnrefused');
    const ready = recordsOf(r, 'k8s.pod_ready');
    let inStartup = 0;
    for (const [t, v] of refused) if (ready.some((p) => t > p.t && t <= p.t + 10 + 1)) inStartup += v;
    // 100-150 connections/s to each new pod from its endpoint's addition until it listens (its
    // Ready's propagation, never before the old pod's deletion: 5-7 s of its 10-s startup).
    expect(inStartup).toBeGreaterThan(2000);
    expect(inStartup).toBe(r.figures['err_econnrefused.total']);
  });
});

describe('the same rollout with a readiness probe (k8s-rolling-readiness)', () => {
  let r: RunResult;
  beforeAll(() => {
    r = runBuiltin('k8s-rolling-readiness');
  });

  it('binds each new pod only once its app answers, and refuses nothing', () => {
    const ready = recordsOf(r, 'k8s.pod_ready');
    expect(ready).toHaveLength(3);
    for (const p of ready) expect(p.listening).toBe(true);
    expect(r.figures['errors.total']).toBe(0);
  });
});

describe('a restarted container without a readiness probe', () => {
  // k8s-crashloop without its readiness probe: the app crashes 50 s after each start.
  let r: RunResult;
  beforeAll(() => {
    r = run({
      start: '15:00:00',
      warmup: '20s',
      horizon: '3m',
      clients: { requests: { rate: 300, timeout: '10s', retries: 0 } },
      app: { workers: 32, service_time: 'exp(mean=30ms)', startup_time: '5s' },
      lb: { mode: 'nat', retries: 0 },
      backends: [{ name: 'pod-a', app: { crash_after: '50s' } }, { name: 'pod-b' }, { name: 'pod-c' }],
    });
  });

  it('reaches the balancer NotReady, then Ready again in that order, even when restarted at once', () => {
    const died = recordsOf(r, 'k8s.container_died');
    const notReady = recordsOf(r, 'k8s.endpoint_not_ready');
    expect(died.length).toBeGreaterThanOrEqual(2);
    // The first restart has no back-off: the Ready sent at once must not cancel the NotReady.
    expect(notReady).toHaveLength(died.length);
  });

  it('is Ready while its app starts: connections are refused between its restart and its app listening', () => {
    const refused = series(r, 'err_econnrefused', 'pod-a');
    const died = recordsOf(r, 'k8s.container_died');
    const restarted = recordsOf(r, 'k8s.container_restarted');
    // The second crash waits 10 s (CrashLoopBackOff), then the container runs and is Ready again
    // after the propagation delay (1-5 s), 5 s before its app listens. Its NotReady arrived
    // ≤ 5 s after the crash; a Ready sent when the app listens would arrive ≥ 1 s after that.
    const from = died[1].t + 6 + 1;
    const to = restarted[1].t + 0.99;
    const inStartup = refused.filter(([t]) => t > from && t <= to).reduce((a, [, v]) => a + v, 0);
    expect(inStartup).toBeGreaterThan(0);
  });
});

describe('a new pod without a readiness probe is Ready at the relist after its container starts, not at its start', () => {
  // maxSurge 0 / maxUnavailable 1 with a spare backend: pod-d's new pod is created at the
  // rollout's start (30 s), when pod-a starts terminating. pod-b crashes at 20 s: the relist that
  // notices it shows where the kubelet's relist grid lies (pleg/generic.go, every 1 s).
  const pods: Array<{ start: number; ready: number; listening: boolean; relist: number }> = [];
  beforeAll(() => {
    for (let seed = 1; seed <= 4; seed++) {
      const r = run(
        {
          horizon: '60s',
          warmup: '0s',
          clients: { requests: { rate: 100, timeout: '2s', retries: 0 } },
          app: { startup_time: '10s' },
          lb: { mode: 'l4', retries: 0 },
          backends: [
            { name: 'pod-a' },
            { name: 'pod-b', app: { crash_after: '20s' } },
            { name: 'pod-c' },
            { name: 'pod-d', state: 'detached' },
          ],
          timeline: [
            {
              at: '30s',
              do: 'rollout',
              pods: ['pod-a'],
              max_surge: 0,
              max_unavailable: 1,
              endpoint_propagation: 'uniform(1s, 5s)',
            },
          ],
        } as ScenarioInput,
        seed,
      );
      const start = recordsOf(r, 'k8s.rollout_start')[0].t;
      const ready = recordsOf(r, 'k8s.pod_ready').find((p) => p.pod === 'pod-d')!;
      const relist = recordsOf(r, 'k8s.crash_backoff').find((c) => c.pod === 'pod-b')!.t;
      pods.push({ start, ready: ready.t, listening: ready.listening, relist });
    }
  });

  it('becomes Ready after its container starts, by the relist lag (0-1 s), never at its start', () => {
    for (const p of pods) {
      expect(p.listening).toBe(false);
      expect(p.ready - p.start).toBeGreaterThan(1e-6);
      expect(p.ready - p.start).toBeLessThanOrEqual(1 + 1e-9);
    }
  });

  it("is Ready exactly at the first relist of the kubelet's grid after its start", () => {
    for (const p of pods) {
      const firstRelist = p.relist + Math.floor(p.start - p.relist + 1e-9) + 1;
      expect(p.ready).toBeCloseTo(firstRelist, 6);
    }
    const lags = pods.map((p) => p.ready - p.start);
    // Four seeds, four grid phases: the lag is the grid's, not a constant.
    expect(new Set(lags.map((l) => l.toFixed(6))).size).toBeGreaterThan(1);
  });
});
