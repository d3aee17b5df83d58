/**
 * Every change of a pod's Ready condition reaches the balancer after the propagation delay
 * (`kubelet.endpoint_propagation`): kubelet status manager → API server → EndpointSlice controller
 * (pkg/controller/endpointslice reconciler: the endpoint's `ready`/`serving` conditions from
 * podutil.IsPodReady) → kube-proxy (pkg/proxy endpointslicecache, its next sync). A readiness
 * probe's failure or pass and a rollout's new pod's first Ready go that way too, not only a
 * container's death; the Deployment controller sees the Ready at once.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run, series } from '../helpers.js';

/** The sampled value of `name` for `entity` at the first sample after `t`. */
function after(r: RunResult, name: string, entity: string, t: number): number {
  return series(r, name, entity).find(([s]) => s > t)![1];
}

describe('a readiness probe failure reaches the balancer after the propagation delay', () => {
  let r: RunResult;
  beforeAll(() => {
    r = run({
      horizon: '70s',
      warmup: '0s',
      clients: { requests: { rate: 100, timeout: '2s', retries: 0 } },
      lb: { mode: 'nat', retries: 0 },
      kubelet: { endpoint_propagation: 'const(2.5s)' },
      probes: { readiness: { type: 'http', period: '1s', failure_threshold: 1, timeout: '1s' } },
      backends: [{ name: 'pod-a' }, { name: 'pod-b' }],
      timeline: [{ at: '30s', do: 'pause', backend: 'pod-b', duration: '20s' }],
    } as ScenarioInput);
  });

  it('keeps the pod in service for 2.5 s after the probe failed, then takes it out (before: at once)', () => {
    const failed = recordsOf(r, 'k8s.readiness').find((p) => p.pod === 'pod-b' && !p.ready)!;
    expect(failed.t).toBeGreaterThan(30);
    expect(after(r, 'in_service', 'pod-b', failed.t + 0.2)).toBe(1);
    expect(after(r, 'in_service', 'pod-b', failed.t + 1.2)).toBe(1);
    expect(after(r, 'in_service', 'pod-b', failed.t + 2.6)).toBe(0);
  });

  it('puts it back 2.5 s after the probe passed again', () => {
    const passed = recordsOf(r, 'k8s.readiness').find((p) => p.pod === 'pod-b' && p.ready && p.t > 30)!;
    expect(after(r, 'in_service', 'pod-b', passed.t + 0.2)).toBe(0);
    expect(after(r, 'in_service', 'pod-b', passed.t + 1.2)).toBe(0);
    expect(after(r, 'in_service', 'pod-b', passed.t + 2.6)).toBe(1);
  });
});

describe("a rollout's new pod gets its endpoint after the propagation delay", () => {
  // No readiness probe: pod-d's new pod (a spare backend) is Ready at the PLEG relist after its
  // creation, while its app needs 10 s to listen; connections sent to it are refused.
  let r: RunResult;
  beforeAll(() => {
    r = run({
      horizon: '60s',
      warmup: '0s',
      clients: { requests: { rate: 300, timeout: '2s', retries: 0 } },
      app: { startup_time: '10s' },
      lb: { mode: 'nat', retries: 0 },
      kubelet: { endpoint_propagation: 'const(2.5s)' },
      backends: [{ name: 'pod-a' }, { name: 'pod-b' }, { name: 'pod-c' }, { name: 'pod-d', state: 'detached' }],
      // pod-a's termination and deletion land at once (1 ms): pod-d's Ready is then the only change
      // on its way and takes its own 2.5 s (one written while another travels lands with it:
      // ServiceEndpoints.publishedAt).
      timeline: [
        {
          at: '30s',
          do: 'rollout',
          pods: ['pod-a'],
          max_surge: 0,
          max_unavailable: 1,
          endpoint_propagation: 'const(1ms)',
        },
      ],
    } as ScenarioInput);
  });

  it('refuses nothing on the new pod before its Ready has travelled 2.5 s (before: from its Ready on)', () => {
    const ready = recordsOf(r, 'k8s.pod_ready').find((p) => p.pod === 'pod-d')!;
    const refused = series(r, 'err_econnrefused', 'pod-d');
    const early = refused.filter(([t]) => t <= ready.t + 2.5 - 1e-6 && t > ready.t - 1).reduce((a, [, v]) => a + v, 0);
    const later = refused.filter(([t]) => t > ready.t + 2.5).reduce((a, [, v]) => a + v, 0);
    // The sample ending within the delay counts nothing; after it, ~75/s until the app listens.
    expect(early).toBe(0);
    expect(later).toBeGreaterThan(300);
  });
});
