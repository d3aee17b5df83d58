/**
 * A terminating pod (kubelet.go SyncTerminatingPod → probeManager.StopLivenessAndStartup): no
 * liveness or startup probe runs any more and its container is not restarted; the readiness probe
 * keeps running (the endpoint's serving condition) until the containers have stopped.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

/** k8s-grace-longer (grace 90 s, reports of 40-60 s) with an HTTP liveness probe every 5 s. */
function rollout(extra: Record<string, unknown> = {}) {
  return run({
    start: '15:00:00',
    warmup: '2m',
    horizon: '5m',
    clients: { requests: { rate: 100, timeout: '2m', retries: 0 } },
    app: { workers: 64, service_time: 'mix(0.995 exp(mean=30ms), 0.005 uniform(40s, 60s))', startup_time: '10s' },
    lb: { mode: 'l4', retries: 0 },
    probes: { readiness: { type: 'http' }, liveness: { type: 'http', period: '5s' } },
    backends: [{ name: 'pod-a' }, { name: 'pod-b' }, { name: 'pod-c' }],
    timeline: [
      {
        at: '15:00:30',
        do: 'rollout',
        // No backend has room for a surge pod: one old pod at a time (the defaults would stall).
        max_surge: 0,
        max_unavailable: 1,
        termination_grace_period: '90s',
        prestop_sleep: '10s',
        endpoint_propagation: 'uniform(1s, 5s)',
      },
    ],
    ...extra,
  });
}

describe('a terminating pod', () => {
  let r: RunResult;
  beforeAll(() => {
    r = rollout();
  });

  it('is not killed by its liveness probe while it drains after SIGTERM (its listener is closed)', () => {
    // The app stops accepting at SIGTERM and drains reports for up to 60 s: an HTTP liveness probe
    // every 5 s would fail 3 times in 15 s and the kubelet would restart the container.
    expect(recordsOf(r, 'k8s.liveness_failed')).toHaveLength(0);
    expect(recordsOf(r, 'k8s.container_died')).toHaveLength(0);
    expect(r.figures['errors.total']).toBe(0);
    expect(r.figures['restarts.total']).toBe(3);
  });

  it('keeps its readiness probe: it fails while the app drains (the endpoint stops serving)', () => {
    const sigterm = recordsOf(r, 'k8s.pod_sigterm');
    const unready = recordsOf(r, 'k8s.readiness').filter((p) => !p.ready);
    expect(unready.length).toBeGreaterThan(0);
    for (const u of unready) expect(sigterm.some((s) => s.pod === u.pod && s.t < u.t)).toBe(true);
  });
});

describe('a terminating pod whose container crashes', () => {
  // Each app crashes 45 s after it starts: pod-a's first crash comes during its preStop sleep.
  let r: RunResult;
  beforeAll(() => {
    r = rollout({
      warmup: '0s',
      backends: [{ name: 'pod-a', app: { crash_after: '35s' } }, { name: 'pod-b' }, { name: 'pod-c' }],
    });
  });

  it('is gone, not restarted: the rollout goes on', () => {
    // Until pod-a's replacement is Ready (that new pod crashes 35 s after its own start, and is
    // restarted: it is not terminating).
    const replaced = recordsOf(r, 'k8s.pod_ready').find((d) => d.pod === 'pod-a')!.t;
    const before = <T extends { t: number }>(rs: T[]) => rs.filter((x) => x.t < replaced);
    expect(before(recordsOf(r, 'k8s.container_died')).map((d) => d.pod)).toEqual(['pod-a']);
    expect(before(recordsOf(r, 'k8s.crash_backoff'))).toHaveLength(0);
    expect(before(recordsOf(r, 'k8s.container_restarted'))).toHaveLength(0);
    expect(recordsOf(r, 'k8s.rollout_complete')).toHaveLength(1);
  });
});
