/**
 * A deleted pod's IP is gone once its containers have exited (control/k8s-rollout.ts podGone):
 * the kubelet stops the pod's sandbox right after killing its containers
 * (pkg/kubelet/kuberuntime/kuberuntime_manager.go killPodWithSyncResult: killContainersWithSyncResult,
 * then StopPodSandbox; the CNI releases the IP). Connections kube-proxy still sends to the old
 * endpoint before its removal lands get no answer (no RST): the client's connect times out. The
 * replacement pod has an address of its own: it gets none of them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { between, run } from '../helpers.js';
import { deletedPodRollout } from './deleted-pod-fixture.js';

/** The shared deleted-pod rollout (deleted-pod-fixture.ts) behind kube-proxy, 200 open-loop requests/s. */
function rollout(): RunResult {
  return run(
    deletedPodRollout({
      clients: { requests: { rate: 200, timeout: '10s', retries: 0 } },
      lb: { mode: 'nat', retries: 0 },
    } as Partial<ScenarioInput>),
  );
}

const lineAt = (r: RunResult, text: string): number => {
  const e = r.events.find((ev) => ev.text.includes(text));
  if (!e) throw new Error(`no line with "${text}"`);
  return e.t;
};

describe('a deleted pod’s IP after its containers exited', () => {
  let r: RunResult;
  let exited: number;
  beforeAll(() => {
    r = rollout();
    exited = lineAt(r, 'pod-a: graceful shutdown complete');
  });

  it('the old pod exits soon after SIGTERM, before the removal reaches kube-proxy', () => {
    expect(exited).toBeGreaterThan(30);
    expect(exited).toBeLessThan(31);
    expect(lineAt(r, 'pod pod-a: endpoint removed')).toBeCloseTo(34, 6);
  });

  it('no RST after the exit: connects to the old address are refused only before it', () => {
    // Refused while the app had closed its listener and not yet exited (30 s to the exit).
    expect(between(r, 'err_econnrefused', 29, 31)).toBeGreaterThan(0);
    // From the exit to the removal nothing answers: no refusal at all afterwards.
    expect(between(r, 'err_econnrefused', 31, 60)).toBe(0);
  });

  it('the connects sent to the old address in between time out (lb.connect_timeout, 5 s)', () => {
    // ~half of 200/s for the ~3.9 s between the exit and the removal, failing 5 s after their SYN.
    const timedOut = between(r, 'err_client_timeout', 35, 40);
    expect(timedOut).toBeGreaterThan(250);
    expect(timedOut).toBeLessThan(500);
  });

  it('the replacement, listening before the removal, gets nothing addressed to the old endpoint', () => {
    // The new pod listens ~1.1 s after the exit and is not Ready until its readiness probe passes:
    // every request answered in (exit + 1.5 s, removal) was pod-b's.
    const answered = between(r, 'goodput', 32, 34);
    expect(answered).toBeGreaterThan(150);
    expect(answered).toBeLessThan(250);
  });
});
