/**
 * Terminating endpoints (control/k8s-endpoints.ts): a terminating pod leaves the ready set, and
 * kube-proxy falls back to the serving + terminating endpoints only when no endpoint is ready
 * (pkg/proxy/topology.go CategorizeEndpoints, ProxyTerminatingEndpoints GA 1.28).
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, window } from '../helpers.js';

/** A rollout at 30 s; the endpoint update reaches kube-proxy 2 s after the deletion, SIGTERM at 20 s. */
function rollout(backends: ScenarioInput['backends']): RunResult {
  return run({
    warmup: '0s',
    horizon: '90s',
    clients: { requests: { rate: 100, timeout: '2s', retries: 0 } },
    app: { startup_time: '10s', graceful_shutdown: true },
    lb: { mode: 'nat' },
    backends,
    timeline: [
      {
        at: '30s',
        do: 'rollout',
        // No backend has room for a surge pod: one old pod at a time (the defaults would stall).
        max_surge: 0,
        max_unavailable: 1,
        termination_grace_period: '40s',
        prestop_sleep: '20s',
        endpoint_propagation: 'const(2s)',
      },
    ],
  } as ScenarioInput);
}

const failedBetween = (r: RunResult, from: number, to: number) =>
  window(r, 'req_failed', from, to).reduce((a, b) => a + b, 0);

describe('terminating endpoints', () => {
  it('a single replica keeps serving through its preStop sleep: no ready endpoint, so the terminating one is used', () => {
    const r = rollout([{ name: 'pod-a' }]);
    // Between the endpoint update (32 s) and SIGTERM (50 s) the only pod still answers.
    expect(failedBetween(r, 34, 49)).toBe(0);
    expect(r.events.some((e) => e.text.includes('terminating endpoint used'))).toBe(true);
    // After SIGTERM the app stops accepting while the pod still counts as serving (no readiness
    // probe): requests fail until the replacement is Ready.
    expect(failedBetween(r, 52, 58)).toBeGreaterThan(100);
  });

  it('with another pod ready the terminating one leaves at once: all traffic on the ready pod', () => {
    const r = rollout([{ name: 'pod-a' }, { name: 'pod-b' }]);
    const onA = window(r, 'new_conn', 34, 49, 'pod-a').reduce((a, b) => a + b, 0);
    expect(onA).toBe(0);
    expect(failedBetween(r, 34, 49)).toBe(0);
  });
});
