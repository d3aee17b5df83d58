/**
 * A deleted pod's end as Kubernetes runs it (control/k8s-rollout.ts podGone): its containers'
 * processes exit first, and the kernel closes their sockets (FIN, RST where data sat unread); then
 * the kubelet's StopPodSandbox releases its IP (pkg/kubelet/kuberuntime/kuberuntime_manager.go
 * killPodWithSyncResult: killContainersWithSyncResult, then StopPodSandbox). The replacement has an
 * IP of its own: its sandbox is up at once and the kubelet probes it there, however long the
 * balancer still sends the old pod's traffic to the released address (Backend.answersBalancer).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { between, run } from '../helpers.js';

const lineAt = (r: RunResult, text: string): number => {
  const e = r.events.find((ev) => ev.text.includes(text));
  if (!e) throw new Error(`no line with "${text}"`);
  return e.t;
};

/** pod-a deleted at 30 s with no preStop (SIGTERM at once, exit ~0.1 s later), replaced in its slot. */
const rollout = { at: '30s', do: 'rollout', pods: ['pod-a'], max_surge: 0, max_unavailable: 1 };

/**
 * Open-loop requests; the new pod listens 1 s after its creation and is probed every second
 * (readiness, and liveness with failureThreshold 3); the old endpoint's removal reaches kube-proxy
 * `propagation` after the deletion.
 */
function replaced(propagation: string): RunResult {
  return run({
    warmup: '0s',
    horizon: '60s',
    clients: { requests: { rate: 100, timeout: '10s', retries: 0 } },
    app: { workers: 32, service_time: 'const(10ms)', startup_time: '1s' },
    lb: { mode: 'nat', retries: 0 },
    probes: {
      readiness: { type: 'http', period: '1s' },
      liveness: { type: 'http', period: '1s', failure_threshold: 3 },
    },
    backends: [{ name: 'pod-a' }, { name: 'pod-b' }],
    timeline: [
      {
        ...rollout,
        termination_grace_period: '30s',
        prestop_sleep: '0s',
        endpoint_propagation: `const(${propagation})`,
      },
    ],
  } as ScenarioInput);
}

describe('the replacement pod is probed at its own IP at once', () => {
  let fast: RunResult;
  let slow: RunResult;
  beforeAll(() => {
    fast = replaced('1s');
    slow = replaced('8s');
  });

  it('is Ready as soon with the old endpoint removed after 8 s as after 1 s', () => {
    const readyFast = lineAt(fast, 'pod pod-a (new version): Ready');
    const readySlow = lineAt(slow, 'pod pod-a (new version): Ready');
    // Listening ~1.1 s after the old pod's exit, Ready at the next probe.
    expect(readyFast).toBeLessThan(33);
    expect(Math.abs(readySlow - readyFast)).toBeLessThanOrEqual(1);
  });

  it('is never killed by its liveness probe while the old address is still routed', () => {
    for (const r of [fast, slow]) expect(r.events.some((e) => e.text.includes('Liveness probe failed'))).toBe(false);
  });

  it('while the balancer still sends to the old address, those connects time out (no answer)', () => {
    // Until the new pod's endpoint takes the entry (~34.7 s) the released address is silent for kube-proxy's
    // traffic: its connects fail 5 s (lb.connect_timeout) after their SYN.
    expect(between(slow, 'err_client_timeout', 35, 40)).toBeGreaterThan(150);
    expect(between(slow, 'err_econnrefused', 31, 60)).toBe(0);
  });
});

describe('the deleted pod’s open connections end at its exit', () => {
  let r: RunResult;
  let exited: number;
  beforeAll(() => {
    r = run({
      warmup: '0s',
      horizon: '90s',
      clients: {
        http: { arrival_rate: 2, requests_per_connection: 'const(1000)', think_time: 'const(1s)', retries: 0 },
        ws: { initial_sessions: 20, initial_ramp: '1s', lifetime: 'const(1h)', ping_interval: '25s' },
      },
      app: { workers: 32, service_time: 'const(10ms)', startup_time: '1s' },
      lb: { mode: 'nat', retries: 0 },
      probes: { readiness: { type: 'http', period: '1s' } },
      backends: [{ name: 'pod-a' }, { name: 'pod-b' }],
      timeline: [
        { ...rollout, termination_grace_period: '30s', prestop_sleep: '0s', endpoint_propagation: 'const(4s)' },
      ],
    } as ScenarioInput);
    exited = lineAt(r, 'pod-a: graceful shutdown complete');
  });

  it('the pod’s nginx gets SIGQUIT with the SIGTERM (pod-nginx-stop-signal.test.ts), its tunnels open until the exit', () => {
    expect(exited).toBeGreaterThan(30);
    expect(exited).toBeLessThan(31);
    expect(lineAt(r, 'pod-a: signal 3 (SIGQUIT) received, shutting down')).toBe(30);
    // Its WebSocket tunnels kept it up until the app's exit closed them (1006): then it exited, before the sandbox went.
    expect(lineAt(r, 'pod-a: worker generation 1 exited')).toBeCloseTo(exited, 6);
    expect(r.events.some((e) => e.text.includes('pod-a: nginx container killed'))).toBe(false);
  });

  it('WebSocket clients of the deleted pod see 1006 at its exit, not at a ping timeout', () => {
    expect(between(r, 'ws_close_1006', exited - 0.01, exited + 1)).toBeGreaterThan(0);
    expect(between(r, 'ws_close_1006', exited + 1, 90)).toBe(0);
  });

  it('kept-alive clients read the FIN: none waits out its request timeout on the gone pod', () => {
    // Reconnecting in the stale window they meet the released address (connect timeout, 5 s);
    // no request written to the old pod's socket waits for the 30-s request timeout.
    expect(between(r, 'err_client_timeout', exited + 10, 90)).toBe(0);
  });
});
