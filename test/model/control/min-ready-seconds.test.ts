/**
 * Deployment minReadySeconds (default 0): a new pod is available once Ready that long
 * (pkg/api/v1/pod/util.go IsPodAvailable), and only available pods let the rollout terminate the
 * next old pod (maxUnavailable 0 with a surge slot, or 1 without).
 */
import { describe, expect, it } from 'vitest';
import { recordsOf } from '../../trace/records-of.js';
import { runBuiltin } from '../helpers.js';

function gaps(name: string, sets: string[] = []): number[] {
  const r = runBuiltin(name, undefined, sets);
  const ready = recordsOf(r, 'k8s.pod_ready');
  const terminating = recordsOf(r, 'k8s.pod_terminating');
  expect(ready).toHaveLength(3);
  expect(terminating).toHaveLength(3);
  // Without a spare slot (maxSurge → 0, maxUnavailable 1): the n-th new pod's availability lets
  // the (n+1)-th old pod go.
  return [0, 1].map((i) => terminating[i + 1].t - ready[i].t);
}

describe('minReadySeconds', () => {
  it('is 0 by default: the next old pod is terminated the moment its replacement is Ready', () => {
    for (const g of gaps('k8s-rolling-readiness')) expect(g).toBeCloseTo(0, 9);
  });

  it('holds the next termination back until the new pod has been Ready that long', () => {
    for (const g of gaps('k8s-rolling-readiness', ['timeline.0.min_ready_seconds=30s'])) expect(g).toBeCloseTo(30, 9);
  });
});
