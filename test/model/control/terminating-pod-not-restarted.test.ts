/**
 * A terminating pod's app container is never started again (pkg/kubelet/pod_workers.go: a deleted
 * pod's worker runs SyncTerminatingPod, which only kills). Two regimes of the crashloop-rollout
 * fixture (pod-a crashes 55 s after each start, CrashLoopBackOff waits 10, 20, 40 s…):
 * - the deletion comes during the backoff's wait (rollout 15:02:40, preStop 25 s): the restart due
 *   at ~15:02:52 is skipped. Catches review41 K8: kubelet.ts containerNoticed's restart callback
 *   without `|| this.isTerminating(b)` (the app comes back inside the preStop and gets SIGTERM at 185 s).
 * - the app crashes inside the preStop (rollout 15:03:00, preStop 60 s, grace 90 s): the crash
 *   ends the pod's app for good, no CrashLoopBackOff wait. Catches review41 K9: containerNoticed
 *   skipping its `if (gone)` branch (the kubelet logs "Back-off 40s" for a deleted pod).
 * Only the app and kubelet lines are asserted: the pod's nginx (its stop, the sandbox's exact
 * end) is the pod lifetime's business.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import { runScenario } from '../../../sim/run-scenario.js';
import { loadScenario } from '../../../sim/scenario/load.js';
import { namedScenario } from '../../../sim/scenario/load-for-run.js';
import { ScenarioSchema } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';

const FILE = join(import.meta.dirname, '../../fixtures/k8s/crashloop-rollout.yaml');

function crashloopRollout(sets: string[]): RunResult {
  return runScenario(namedScenario(loadScenario(FILE, ScenarioSchema, { sets })), { seed: 1 });
}

/** Times of pod-a's records of one kind. */
function podA(r: RunResult, kind: 'k8s.container_restarted' | 'k8s.crash_backoff' | 'k8s.pod_sigterm'): number[] {
  return r.events
    .filter((e) => e.record.kind === kind && 'pod' in e.record && e.record.pod === 'pod-a')
    .map((e) => e.t);
}

function deletedAt(r: RunResult): number {
  const [t] = r.events
    .filter((e) => e.record.kind === 'k8s.pod_terminating' && e.text.includes('pod-a'))
    .map((e) => e.t);
  expect(t).toBeDefined();
  return t;
}

describe('a pod deleted during its CrashLoopBackOff wait', () => {
  let r: RunResult;
  beforeAll(() => {
    r = crashloopRollout(['timeline.0.at=15:02:40', 'timeline.0.prestop_sleep=25s']);
  });

  it('its app is not started again between the deletion and the pod exit; no app SIGTERM after the preStop', () => {
    const deleted = deletedAt(r);
    // Regime: pod-a crashed at 151.38 (15:02:31), its 20-s backoff due at ~172 — inside the preStop.
    const [backoff] = recordsOf(r, 'k8s.crash_backoff').filter((x) => x.pod === 'pod-a' && x.delay === 20);
    expect(backoff).toBeDefined();
    const [exited] = r.events
      .filter((e) => e.record.kind === 'k8s.pod_ip_gone' && e.text.includes('pod-a'))
      .map((e) => e.t);
    expect(exited).toBeGreaterThan(deleted);
    expect(podA(r, 'k8s.container_restarted').filter((t) => t > deleted && t <= exited)).toEqual([]);
    // The preStop ends at deleted + 25 = 185 s with no app to signal (the K8 mutant SIGTERMs a restarted app there).
    expect(podA(r, 'k8s.pod_sigterm').filter((t) => Math.abs(t - (deleted + 25)) < 1e-6)).toEqual([]);
  });
});

describe('a pod whose app crashes inside its preStop', () => {
  let r: RunResult;
  beforeAll(() => {
    r = crashloopRollout(['timeline.0.prestop_sleep=60s', 'timeline.0.termination_grace_period=90s']);
  });

  it('the crash gets no CrashLoopBackOff wait and the app is not started again; the pod ends before its grace', () => {
    const deleted = deletedAt(r);
    // Regime: the app (started 175.38, listening 180.38) crashes at 230.38, inside the 60-s preStop.
    const died = r.events
      .filter((e) => e.record.kind === 'k8s.container_died' && e.text.includes('pod-a'))
      .map((e) => e.t)
      .filter((t) => t > deleted);
    expect(died[0]).toBeGreaterThan(deleted);
    expect(died[0]).toBeLessThan(deleted + 60);
    expect(podA(r, 'k8s.crash_backoff').filter((t) => t > deleted && t < deleted + 90)).toEqual([]);
    const [exited] = r.events
      .filter((e) => e.record.kind === 'k8s.pod_ip_gone' && e.text.includes('pod-a'))
      .map((e) => e.t)
      .filter((t) => t > deleted);
    // Gone at the relist after the crash today, or once nginx has stopped after the preStop: before
    // the grace period's SIGKILL either way.
    expect(exited).toBeGreaterThan(died[0]);
    expect(exited).toBeLessThan(deleted + 90);
    expect(podA(r, 'k8s.container_restarted').filter((t) => t > died[0] && t <= exited)).toEqual([]);
  });
});
