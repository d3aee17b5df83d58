/** The kubelet: a crashed container's pod leaves the endpoints at once and restarts with CrashLoopBackOff; preStop timers belong to their pod. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../sim/result.js';
import { run, runBuiltin, series } from '../model/helpers.js';
import { recordsOf } from '../trace/records-of.js';

let crashloopRun: RunResult | undefined;
/** k8s-crashloop, run once for the file (two describes read it). */
function crashloop(): RunResult {
  crashloopRun ??= runBuiltin('k8s-crashloop');
  return crashloopRun;
}

describe('k8s-crashloop', () => {
  let r: RunResult;
  beforeAll(() => {
    r = crashloop();
  });

  it('restarts the crashed container at once, then after 10, 20, 40, 80 s of CrashLoopBackOff', () => {
    expect(recordsOf(r, 'k8s.crash_backoff').map((b) => b.delay)).toEqual([0, 10, 20, 40, 80]);
    expect(recordsOf(r, 'k8s.container_restarted')).toHaveLength(4);
    expect(r.figures['restarts.total']).toBe(4);
  });

  it('takes the endpoint out after the PLEG relist and the propagation delay, not after three failed readiness probes', () => {
    const died = recordsOf(r, 'k8s.container_died');
    const gone = recordsOf(r, 'k8s.endpoint_not_ready');
    const noticed = recordsOf(r, 'k8s.crash_backoff');
    expect(gone).toHaveLength(died.length);
    gone.forEach((g, i) => {
      expect(g.t - died[i].t).toBeCloseTo(g.delay, 6);
      // The kubelet sees the exit at its next relist (≤ 1 s), then the status takes 1-5 s.
      expect(noticed[i].noticed).toBeGreaterThan(0);
      expect(noticed[i].noticed).toBeLessThanOrEqual(1);
      expect(g.delay).toBeGreaterThanOrEqual(noticed[i].noticed + 1);
      expect(g.delay).toBeLessThanOrEqual(noticed[i].noticed + 5);
    });
    // No readiness probe had to fail: the kubelet's status did it.
    expect(recordsOf(r, 'k8s.readiness').filter((p) => !p.ready)).toHaveLength(0);
    // Refused only in the relist + propagation windows: ~100 connections/s to pod-a for at most 6 s per crash.
    const refused = r.figures['err_econnrefused.total']!;
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThan(died.length * 6 * 110);
  });
});

describe('preStop is bound to its pod incarnation (kuberuntime_container.go killContainer)', () => {
  // k8s-rolling-naive with a preStop sleep (40 s) longer than the grace period (30 s).
  let r: RunResult;
  beforeAll(() => {
    r = run({
      start: '15:00:00',
      warmup: '20s',
      horizon: '4m',
      clients: { requests: { rate: 300, timeout: '10s', retries: 0 } },
      app: { workers: 32, service_time: 'exp(mean=30ms)', startup_time: '10s' },
      lb: { mode: 'l4', retries: 0 },
      backends: [{ name: 'pod-a' }, { name: 'pod-b' }, { name: 'pod-c' }],
      timeline: [
        {
          at: '15:00:30',
          do: 'rollout',
          // No backend has room for a surge pod: one old pod at a time (the defaults would stall).
          max_surge: 0,
          max_unavailable: 1,
          termination_grace_period: '30s',
          prestop_sleep: '40s',
          endpoint_propagation: 'uniform(1s, 5s)',
        },
      ],
    });
  });

  it('sends SIGTERM once per old pod, at the end of the grace period, with the 2 s extension, and never to a replacement', () => {
    const terminating = recordsOf(r, 'k8s.pod_terminating');
    const sigterms = recordsOf(r, 'k8s.pod_sigterm');
    expect(terminating).toHaveLength(3);
    expect(sigterms.map((s) => s.pod)).toEqual(['pod-a', 'pod-b', 'pod-c']);
    sigterms.forEach((s, i) => expect(s.t - terminating[i].t).toBeCloseTo(30, 6));
    expect(recordsOf(r, 'k8s.grace_extended').map((e) => e.extension)).toEqual([2, 2, 2]);
    expect(r.figures['restarts.total']).toBe(3);
    expect(recordsOf(r, 'k8s.rollout_complete')).toHaveLength(1);
  });
});

describe('k8s-rolling-surge / -fixed: maxSurge/maxUnavailable as the Deployment controller resolves them', () => {
  it('the fix, defaults 25 %/25 % on 3 replicas, is surge 1 / unavailable 0: a new pod is Ready before each old one goes, nothing fails', () => {
    const r = runBuiltin('k8s-rolling-surge-fixed');
    const start = recordsOf(r, 'k8s.rollout_start')[0];
    expect([start.surge, start.unavailable, start.spares]).toEqual([1, 0, 1]);
    const ready = recordsOf(r, 'k8s.pod_ready');
    const terminating = recordsOf(r, 'k8s.pod_terminating');
    expect(terminating).toHaveLength(3);
    // Each old pod goes only once one more new pod is Ready (at that moment: minReadySeconds 0).
    terminating.forEach((t, i) => expect(ready[i].t).toBeLessThanOrEqual(t.t));
    expect(r.figures['errors.total']).toBe(0);
  });

  it("the failure, maxSurge 0 / maxUnavailable 1 at the same load: two pods carry three pods' load and requests time out", () => {
    const r = runBuiltin('k8s-rolling-surge');
    const start = recordsOf(r, 'k8s.rollout_start')[0];
    expect([start.surge, start.unavailable, start.spares]).toEqual([0, 1, 1]);
    // Each new pod is created only once an old one has gone (old + new ≤ replicas + 0), so each is
    // Ready only after one more old pod was deleted.
    const ready = recordsOf(r, 'k8s.pod_ready');
    recordsOf(r, 'k8s.pod_terminating').forEach((t, i) => expect(t.t).toBeLessThan(ready[i].t));
    expect(recordsOf(r, 'k8s.pod_terminating')[0].t).toBeLessThan(recordsOf(r, 'k8s.pod_ready')[0].t);
    expect(r.figures['req_timeouts.total']!).toBeGreaterThan(10_000);
    expect(r.figures['err_econnrefused.total']).toBe(0);
  });
});

describe('k8s-crashloop-fixed: the bad release rolled back', () => {
  let r: RunResult;
  beforeAll(() => {
    r = runBuiltin('k8s-crashloop-fixed');
  });

  it("replaces pod-a with a pod of the previous release (the rollout's crash_after 0), which never crashes", () => {
    const start = recordsOf(r, 'k8s.rollout_start')[0];
    expect(start.crashAfter).toBe(0);
    const ready = recordsOf(r, 'k8s.pod_ready')[0];
    expect(ready.pod).toBe('pod-a');
    // The new pod would crash 50 s after its start (at ~15:03:05) if it kept the bad release.
    expect(recordsOf(r, 'k8s.container_died').filter((d) => d.t > ready.t)).toHaveLength(0);
    expect(recordsOf(r, 'k8s.rollout_complete')).toHaveLength(1);
    expect(r.figures['restarts.total']).toBe(3);
  });

  it('fails nothing after the rollback; the two crashes before it cost fewer refusals than the five of k8s-crashloop', () => {
    // 15:02:30 on the run's clock (start 15:00:00): the new pod has been Ready for 10 s.
    const after = series(r, 'errors').filter(([t]) => t > 150);
    expect(after.length).toBeGreaterThan(200);
    expect(after.reduce((sum, [, v]) => sum + v, 0)).toBe(0);
    const unfixed = crashloop().figures['err_econnrefused.total']!;
    expect(r.figures['err_econnrefused.total']!).toBeLessThan(unfixed / 2);
  });
});
