/**
 * A pod whose container started before its deletion and passes readiness in its preStop (review41
 * B): its endpoint becomes serving, never ready again. The EndpointSlice controller's podToEndpoint
 * (kubernetes staging/src/k8s.io/endpointslice/utils.go) writes `terminating =
 * pod.DeletionTimestamp != nil` and `ready = serving && !terminating` from the same pod object, so
 * no EndpointSlice after the deletion shows it ready; kube-proxy sends to a serving terminating
 * endpoint only while no endpoint is ready (control/k8s-endpoints.ts). Before session 26 the
 * Ready, sent after the deletion, could reach kube-proxy before the deletion did
 * (kubelet.ts podTerminating: the pod's updates now arrive in order) and put pod-a back among the
 * ready endpoints beside pod-b and pod-c until its removal landed; and the line said "endpoint
 * added to the Service" even when the removal came first.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import { runScenario } from '../../../sim/run-scenario.js';
import { loadScenario } from '../../../sim/scenario/load.js';
import { namedScenario } from '../../../sim/scenario/load-for-run.js';
import { ScenarioSchema } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { between } from '../helpers.js';

// k8s-crashloop's pod-a restarted by its backoff at ~15:02:55 (listening ~15:03:00.4), deleted by
// the rollout at 15:03:00 (t = 180 s) with a 60 s preStop.
const FILE = join(import.meta.dirname, '../../fixtures/k8s/crashloop-rollout.yaml');
const DELETED = 180;

function rollout(propagation: string): RunResult {
  const sets = [
    'timeline[0].prestop_sleep=60s',
    'timeline[0].termination_grace_period=90s',
    `timeline[0].endpoint_propagation=${propagation}`,
  ];
  return runScenario(namedScenario(loadScenario(FILE, ScenarioSchema, { sets })), { seed: 1 });
}

describe('a terminating pod that passes readiness in its preStop', () => {
  let slow: RunResult;
  let fast: RunResult;
  beforeAll(() => {
    // The deletion reaches kube-proxy 20 s later: the Ready sent at ~185 s would arrive first.
    slow = rollout('const(20s)');
    // The review's case: the removal lands within 5 s, before the Ready is sent.
    fast = rollout('uniform(1s, 5s)');
  });

  it('gets no new connection while pod-b and pod-c are ready, even before its deletion reaches kube-proxy', () => {
    const ready = recordsOf(slow, 'k8s.readiness').filter((x) => x.pod === 'pod-a' && x.ready && x.t > DELETED);
    expect(ready.length).toBeGreaterThan(0);
    expect(ready[0].t).toBeLessThan(DELETED + 10);
    // From the deletion until the removal lands at 200 s, and after: nothing sent to pod-a.
    expect(between(slow, 'attempts', DELETED, DELETED + 30, 'pod-a')).toBe(0);
    expect(recordsOf(slow, 'k8s.terminating_fallback').filter((x) => x.pod === 'pod-a')).toHaveLength(0);
  });

  it('is logged as a terminating endpoint serving, not as added to the Service', () => {
    for (const r of [slow, fast]) {
      const lines = r.events.filter(
        (e) => e.t > DELETED && e.t < DELETED + 60 && e.text.includes('pod pod-a: Readiness probe succeeded'),
      );
      expect(lines.length).toBeGreaterThan(0);
      for (const e of lines) {
        expect(e.text).toContain('terminating endpoint serving');
        expect(e.text).not.toContain('added to the Service');
      }
    }
    expect(between(fast, 'attempts', DELETED + 6, DELETED + 30, 'pod-a')).toBe(0);
  });
});
