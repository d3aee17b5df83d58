/**
 * A pod deleted while its app container is down (a crash, CrashLoopBackOff's wait): the kubelet
 * starts no container of a terminating pod again — its pod worker runs SyncTerminatingPod, which
 * only kills (pkg/kubelet/pod_workers.go) — so killContainersWithSyncResult has only nginx to stop
 * (its SIGQUIT, the image's STOPSIGNAL) and the pod is gone at once (review40). Before, the
 * backoff's restart brought the deleted pod's app back during its grace period, its readiness
 * probe put it back in the Service, and nginx got no stop signal before the grace's SIGKILL.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import { runScenario } from '../../../sim/run-scenario.js';
import { loadScenario } from '../../../sim/scenario/load.js';
import { namedScenario } from '../../../sim/scenario/load-for-run.js';
import { ScenarioSchema } from '../../../sim/scenario/schema.js';

const FILE = join(import.meta.dirname, '../../fixtures/k8s/crashloop-rollout.yaml');

describe('a pod deleted in CrashLoopBackOff', () => {
  let r: RunResult;
  const at = (text: string): number[] => r.events.filter((e) => e.text.includes(text)).map((e) => e.t);
  beforeAll(() => {
    r = runScenario(namedScenario(loadScenario(FILE, ScenarioSchema)), { seed: 1 });
  });

  it('nginx gets its SIGQUIT at the deletion and the pod is gone then; the old app is not started again', () => {
    const [deleted] = at('pod pod-a: Terminating');
    expect(deleted).toBeDefined();
    expect(at('pod-a: signal 3 (SIGQUIT) received').some((t) => Math.abs(t - deleted) < 1e-6)).toBe(true);
    expect(at('pod pod-a: containers exited, sandbox stopped').some((t) => Math.abs(t - deleted) < 1e-6)).toBe(true);
    // The old code restarted the deleted pod's app (at +0.38 s on seed 1) and its readiness probe
    // passed at +5 s; the new pod's app listens 10 s after its creation.
    const probed = at('pod pod-a: Readiness probe succeeded').filter((t) => t > deleted);
    expect(probed.length).toBeGreaterThan(0);
    expect(probed[0]).toBeGreaterThan(deleted + 9.5);
  });
});
