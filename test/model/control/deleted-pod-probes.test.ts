/**
 * A pod deleted after its termination takes its probe workers with it (pkg/kubelet/prober/
 * prober_manager.go RemovePod): a backend whose old pod has gone and that no new pod took (the
 * last old pod's slot when a spare slot held a surge pod) is probed no more.
 */
import { describe, expect, it } from 'vitest';
import { recordsOf } from '../../trace/records-of.js';
import { runBuiltin } from '../helpers.js';

describe('probes of a deleted pod', () => {
  it('stop: the emptied slot logs no readiness failure after the rollout', () => {
    // 3 pods + a spare slot, maxSurge 1: pod-d, pod-a and pod-b take the new pods; pod-c's slot
    // stays empty once its old pod has exited.
    const r = runBuiltin('k8s-rolling-surge-fixed');
    const gone = recordsOf(r, 'app.shutdown_complete').find((e) => e.backend === 'pod-c')!;
    expect(gone).toBeDefined();
    expect(recordsOf(r, 'k8s.pod_ready').map((p) => p.pod)).not.toContain('pod-c');
    const after = recordsOf(r, 'k8s.readiness').filter((x) => x.pod === 'pod-c' && x.t > gone.t);
    expect(after).toEqual([]);
  });
});
