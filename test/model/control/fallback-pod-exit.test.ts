/**
 * A terminating pod that kube-proxy uses as the fallback (no endpoint ready: pkg/proxy/topology.go
 * CategorizeEndpoints) exits: kube-proxy learns of the endpoint's deletion only when the
 * EndpointSlice update reaches it (pkg/proxy/endpointslicecache.go: the applied slice still lists
 * the endpoint as serving and terminating), the rollout's endpoint_propagation after the exit.
 * Until then it keeps DNATing new connections to the pod's released IP: they get no answer (drop:
 * the connect times out) or No route to host after the 3-s ARP lookup (unreachable), not the
 * refusal of a Service without endpoints, which comes only once the deletion has landed.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { between, run } from '../helpers.js';

/**
 * One pod, 100 req/s open-loop behind kube-proxy. Deleted at 30 s; its termination reaches
 * kube-proxy at 34 s, when no other endpoint is ready, so kube-proxy keeps using it; its preStop
 * sleep ends at 40 s and the app exits at once (nothing in flight). Its replacement (the same
 * slot) listens 10 s after its creation at the exit.
 */
/** The one pod's rollout at 30 s: replaced in its own slot (max_surge 0), grace 30 s. */
function rolloutAt30s(preStop: string, propagation: string): unknown {
  return {
    at: '30s',
    do: 'rollout',
    max_surge: 0,
    max_unavailable: 1,
    termination_grace_period: '30s',
    prestop_sleep: preStop,
    endpoint_propagation: propagation,
  };
}

function singlePod(deletedPodIp: 'drop' | 'unreachable'): RunResult {
  return run({
    warmup: '0s',
    horizon: '70s',
    clients: { requests: { rate: 100, timeout: '10s', retries: 0 } },
    app: { workers: 32, service_time: 'const(10ms)', startup_time: '10s' },
    probes: { readiness: { type: 'http' } },
    lb: { mode: 'nat', retries: 0 },
    kubernetes: { deleted_pod_ip: deletedPodIp },
    backends: [{ name: 'pod-a' }],
    timeline: [rolloutAt30s('10s', 'const(4s)')],
  } as ScenarioInput);
}

const lineAt = (r: RunResult, text: string): number => {
  const e = r.events.find((ev) => ev.text.includes(text));
  if (!e) throw new Error(`no line with "${text}"`);
  return e.t;
};

describe('the terminating fallback pod exits: kube-proxy sends to its gone IP until the deletion lands', () => {
  it('drop: connects between the exit and the deletion time out, none is refused; refusals only after it', () => {
    const r = singlePod('drop');
    expect(lineAt(r, 'pod pod-a: terminating endpoint used')).toBeCloseTo(34, 6);
    const exited = lineAt(r, 'pod pod-a: containers exited');
    expect(exited).toBeCloseTo(40, 1);
    expect(lineAt(r, 'pod pod-a: containers exited, sandbox stopped, pod IP released: connections still sent')).toBe(
      exited,
    );
    // The deletion reaches kube-proxy 4 s (the rollout's propagation) after the exit.
    const deleted = recordsOf(r, 'k8s.endpoint_deleted');
    expect(deleted.length).toBe(1);
    expect(deleted[0].delay).toBeCloseTo(4, 6);
    expect(lineAt(r, 'endpoint deleted at the load balancer')).toBeCloseTo(exited + 4, 6);
    // Old code: kube-proxy forgot the endpoint at the exit and rejected from 40 s (~380 refusals by 44 s).
    expect(between(r, 'err_econnrefused', 0, 44)).toBe(0);
    // ~100/s for the 4 s: each connect times out (lb.connect_timeout 5 s).
    expect(r.figures['err_client_timeout.total']).toBeGreaterThan(300);
    expect(r.figures['err_client_timeout.total']).toBeLessThan(500);
    // Then the Service has no endpoint until the new pod's is added: kube-proxy's REJECT.
    expect(between(r, 'err_econnrefused', 44, 54)).toBeGreaterThan(800);
  });

  it('unreachable: they fail with No route to host after the ARP lookup instead, none refused', () => {
    const r = singlePod('unreachable');
    expect(r.figures['err_ehostunreach.total']).toBeGreaterThan(300);
    expect(r.figures['err_client_timeout.total'] ?? 0).toBe(0);
    expect(between(r, 'err_econnrefused', 0, 44)).toBe(0);
    // None before the first lookup's 3 s.
    expect(between(r, 'err_ehostunreach', 0, 43)).toBe(0);
  });

  it('a pod gone before its termination lands is the fallback then too, until its deletion (not refused at once)', () => {
    // No readiness probe: the old pod stays serving. SIGTERM at 30 s; its 5-s requests keep it
    // until ~34.7 s; the termination lands at 38 s, and the deletion, written at the exit while
    // the termination is still on its way, lands with it (ServiceEndpoints.publishedAt; before
    // session 29 it took its own 8 s, ~42.7 s). The replacement is Ready at the PLEG relist after
    // its container started (~35.4 s), written after the deletion: its endpoint is added no
    // earlier than the deletion lands, whatever its own kubelet.endpoint_propagation draw.
    const r = run({
      warmup: '0s',
      horizon: '70s',
      clients: { requests: { rate: 5, timeout: '20s', retries: 0 } },
      app: { workers: 64, service_time: 'const(5s)', startup_time: '10s' },
      lb: { mode: 'nat', retries: 0 },
      backends: [{ name: 'pod-a' }],
      timeline: [rolloutAt30s('0s', 'const(8s)')],
    } as ScenarioInput);
    const removed = recordsOf(r, 'k8s.endpoint_removed');
    expect(removed.length).toBe(1);
    // Old code: the gone pod was detached at once (no fallback), its connects refused from 38 s.
    expect(removed[0]).toMatchObject({ podGone: true, fallback: true });
    const exited = lineAt(r, 'pod pod-a: containers exited');
    expect(exited).toBeCloseTo(34.7, 1);
    // The fallback's deletion lands with the termination at 38 s, and the new pod's endpoint with
    // it, not before (before session 27 it took the slot at ~39-40 s, its own 1-5 s after its
    // Ready, and the deletion was never logged).
    const deleted = recordsOf(r, 'k8s.endpoint_deleted');
    expect(deleted.length).toBe(1);
    expect(deleted[0].t).toBeCloseTo(38, 6);
    expect(deleted[0].delay).toBeCloseTo(38 - exited, 6);
    const added = lineAt(r, 'pod pod-a: endpoint added at the load balancer');
    expect(added).toBeCloseTo(38, 6);
    // Connects to the gone IP until then time out; none made after it does (the new pod refuses
    // until it listens).
    // (5/s for the ~3.3 s from the exit to 38 s.)
    expect(between(r, 'err_client_timeout', 0, 70)).toBeGreaterThan(8);
    expect(between(r, 'err_client_timeout', Math.ceil(added) + 5, 70)).toBe(0);
  });
});
