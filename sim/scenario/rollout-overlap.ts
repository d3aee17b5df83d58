/**
 * Validation of `rollout` timeline actions (schema.ts): a rollout that starts while another is
 * still in progress is refused. In Kubernetes a new template during a rollout is a rollover: the
 * previous new ReplicaSet becomes an old one and the controller scales it down with the first
 * (pkg/controller/deployment/sync.go getAllReplicaSetsAndSyncRevision, rolling.go
 * rolloutRolling). drainsim does not model that (its pods still starting, Pending or
 * terminating would have to change owner), so two overlapping rollouts would both act on the
 * same backends. Here only an overlap the scenario shows is refused: a rollout cannot complete
 * in less than its min_ready_seconds (its new pods are Ready after their creation, and available
 * that long after), nor at its own start. Any other overlap stops the run (k8s-rollout.ts
 * Rollout.start).
 */
import type { z } from 'zod';
import { simTimeOf } from './sim-time.js';

/** What this check reads of a parsed scenario (structural: schema.ts calls it from its refinement). */
interface RolloutOverlapView {
  start: string;
  warmup: number;
  timeline: Array<{ at: string; do: string; min_ready_seconds?: number }>;
}

/** An action's time; NaN when its `at` (or the scenario's `start`) does not read: their own checks say so. */
function timeOf(s: RolloutOverlapView, at: string): number {
  try {
    return simTimeOf(at, s.start, s.warmup);
  } catch {
    return Number.NaN;
  }
}

export function checkRolloutOverlap(s: RolloutOverlapView, ctx: z.core.$RefinementCtx<unknown>): void {
  const rollouts = s.timeline
    .map((a, i) => ({ i, at: a.at, t: timeOf(s, a.at), minReady: a.min_ready_seconds ?? 0 }))
    .filter((r) => s.timeline[r.i].do === 'rollout' && !Number.isNaN(r.t))
    .sort((a, b) => a.t - b.t || a.i - b.i);
  for (let k = 1; k < rollouts.length; k++) {
    const first = rollouts[k - 1];
    const next = rollouts[k];
    if (next.t !== first.t && next.t >= first.t + first.minReady) continue;
    ctx.addIssue({
      code: 'custom',
      path: ['timeline', next.i, 'at'],
      message: `rollout at ${next.at} starts while the rollout at ${first.at} (timeline[${first.i}]) is still in progress (it cannot complete within its min_ready_seconds). Kubernetes would roll over (the previous new ReplicaSet becomes an old one), which drainsim does not model: start it after the first has completed (its 'rolling update complete' line), or drop one`,
      input: next.at,
      params: { expected: `a rollout starting after the one at ${first.at} has completed` },
    });
  }
}
