/**
 * Startup probes (control/k8s-startup-probe.ts, kubelet.ts): liveness and readiness are not run
 * until the startup probe succeeds (pkg/kubelet/prober/worker.go), so a slow-starting app is not
 * killed by its liveness probe; a startup probe that fails failure_threshold times in a row kills
 * the container itself. A rollout's new pod is Ready only once it started and passed readiness.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

/** pod-a crashes 100 s after it starts listening; its app takes 60 s to listen again. */
function slowStarter(probes: Record<string, unknown>): RunResult {
  return run({
    warmup: '0s',
    horizon: '6m',
    clients: { requests: { rate: 50, timeout: '5s', retries: 0 } },
    app: { startup_time: '60s' },
    lb: { mode: 'nat' },
    probes: { liveness: { period: '10s', failure_threshold: 3 }, ...probes },
    backends: [{ name: 'pod-a', app: { crash_after: '100s' } }, { name: 'pod-b' }],
  } as ScenarioInput);
}

const lines = (r: RunResult, text: string) => r.events.filter((e) => e.text.includes(text));

describe('startup probes', () => {
  it('without one, liveness kills the restarted container before its app listens, again and again', () => {
    const r = slowStarter({});
    expect(lines(r, 'killed (liveness)').length).toBeGreaterThanOrEqual(3);
    expect(lines(r, 'container restarted')).toEqual([]);
  });

  it('with one (30 × 10 s to start), liveness waits: the container starts and serves', () => {
    const r = slowStarter({ startup: { period: '10s', failure_threshold: 30 } });
    expect(lines(r, 'killed (liveness)')).toEqual([]);
    const started = lines(r, 'Startup probe succeeded');
    expect(started.length).toBeGreaterThanOrEqual(1);
    // The crash at 100 s, the app listens at 160 s, the next probe tick sees it.
    expect(started[0]!.t).toBeGreaterThanOrEqual(160);
    expect(started[0]!.t).toBeLessThanOrEqual(170);
  });

  it('a startup probe too short for the app (3 × 10 s < 60 s) kills the container itself', () => {
    const r = slowStarter({ startup: { period: '10s', failure_threshold: 3 } });
    expect(lines(r, 'killed (startup probe)').length).toBeGreaterThanOrEqual(2);
    expect(lines(r, 'killed (liveness)')).toEqual([]);
  });

  it("a rollout's new pod is Ready at its first readiness pass after the startup probe, not when the app listens", () => {
    const r = run({
      warmup: '0s',
      horizon: '3m',
      clients: { requests: { rate: 50, timeout: '5s', retries: 0 } },
      app: { startup_time: '10s' },
      lb: { mode: 'nat' },
      probes: { readiness: { period: '10s' }, startup: { period: '7s', failure_threshold: 10 } },
      backends: [{ name: 'pod-a' }, { name: 'pod-b' }, { name: 'pod-c', state: 'detached' }],
      timeline: [{ at: '30s', do: 'rollout', pods: ['pod-a'], endpoint_propagation: 'const(1s)' }],
    } as ScenarioInput);
    const ready = lines(r, 'pod-c').find((e) => e.text.includes('Ready'));
    expect(ready).toBeDefined();
    // Created at 30 s, its startup worker's ticker with it (AddPod: ticks at 37, 44 …), seen running
    // at the PLEG relist (within 1 s), listening at 40 s: started at the tick at 44 s, Ready at the
    // next readiness pass.
    const started = lines(r, 'pod pod-c: Startup probe succeeded')[0]!;
    expect(started.t).toBeCloseTo(44, 6);
    expect(ready!.t).toBeGreaterThan(started.t);
    expect(ready!.t).toBeLessThanOrEqual(started.t + 10);
  });
});

describe("the startup probe's ticks are the pod's, not the container's (prober worker.go run: one ticker per pod)", () => {
  // pod-a's app never listens within the run: each container is killed by its startup probe
  // (3 × 10 s). The worker's ticker runs from the pod's AddPod, so every kill falls on that one
  // grid and comes within (20, 30] s of the status showing the container, not 30 s after it.
  const neverListens = () =>
    run({
      warmup: '0s',
      horizon: '5m',
      clients: { requests: { rate: 20, timeout: '5s', retries: 0 } },
      lb: { mode: 'nat' },
      probes: { startup: { period: '10s', failure_threshold: 3 } },
      backends: [{ name: 'pod-a', app: { crash_after: '20s', startup_time: '1h' } }, { name: 'pod-b' }],
    } as ScenarioInput);

  it('kills each container on the pod ticker: the kills lie a whole number of periods apart', () => {
    const r = neverListens();
    const kills = recordsOf(r, 'k8s.container_died').filter((d) => d.pod === 'pod-a' && d.cause === 'startup');
    expect(kills.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < kills.length; i++) {
      const periods = (kills[i].t - kills[0].t) / 10;
      expect(Math.abs(periods - Math.round(periods))).toBeLessThan(1e-6);
    }
  });

  it('gives a container between (failureThreshold − 1) × period and failureThreshold × period after it is seen', () => {
    const r = neverListens();
    const kills = recordsOf(r, 'k8s.container_died').filter((d) => d.pod === 'pod-a' && d.cause === 'startup');
    // ranFor counts from the container's start; the status shows it at the next relist, ≤ 1 s later.
    for (const k of kills) {
      expect(k.ranFor).toBeGreaterThan(20);
      expect(k.ranFor).toBeLessThanOrEqual(31 + 1e-9);
    }
    // Not always the full 30 s: the first probe waits only for the pod's next tick.
    expect(kills.some((k) => k.ranFor < 30)).toBe(true);
  });
});
