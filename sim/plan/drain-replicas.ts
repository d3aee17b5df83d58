/**
 * Monte Carlo drains: each replica draws the remaining life of every connection open at drain
 * start and records how many are still open at each candidate timeout and when the last one
 * ends. Their spread across replicas is the confidence of the closed-form expectations.
 */
import type { Rng } from '../engine/random.js';
import { nearestRank } from '../sweep/sample-stats.js';
import type { ResidualLife } from './residual-life.js';
import { type ProportionEstimate, wilsonInterval } from './wilson.js';

export interface OpenAtTimeout {
  timeout: number;
  /** Connections still open when the timeout cuts them, over the replicas. */
  openP50: number;
  openP99: number;
  /** Replicas in which every connection had ended by the timeout. */
  allEnded: ProportionEstimate;
}

export interface DrainReplicas {
  replicas: number;
  atTimeouts: OpenAtTimeout[];
  /** When the last connection ended, over the replicas (Infinity: beyond what the table resolves). */
  completionP50: number;
  completionP99: number;
}

export function simulateDrains(
  residual: ResidualLife,
  sessions: number,
  timeouts: readonly number[],
  replicas: number,
  rng: Rng,
): DrainReplicas {
  const sorted = [...timeouts].sort((a, b) => a - b);
  const J = sorted.length;
  // open[j * replicas + r]: connections of replica r still open at sorted[j].
  const open = new Float64Array(J * replicas);
  const completion = new Float64Array(replicas);
  const buckets = new Int32Array(J + 1);
  for (let r = 0; r < replicas; r++) {
    buckets.fill(0);
    let last = 0;
    for (let s = 0; s < sessions; s++) {
      const remaining = residual.sample(rng);
      if (remaining > last) last = remaining;
      // Bucket b: the number of timeouts the connection outlives.
      let lo = 0;
      let hi = J;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (sorted[mid]! < remaining) lo = mid + 1;
        else hi = mid;
      }
      buckets[lo]!++;
    }
    let stillOpen = 0;
    for (let j = J - 1; j >= 0; j--) {
      stillOpen += buckets[j + 1]!;
      open[j * replicas + r] = stillOpen;
    }
    completion[r] = last;
  }
  const atTimeouts = timeouts.map((timeout) => {
    const j = sorted.indexOf(timeout);
    const column = open.slice(j * replicas, (j + 1) * replicas).sort();
    let ended = 0;
    for (const v of column) if (v === 0) ended++;
    return {
      timeout,
      openP50: nearestRank(column, 0.5),
      openP99: nearestRank(column, 0.99),
      allEnded: wilsonInterval(ended, replicas),
    };
  });
  completion.sort();
  return {
    replicas,
    atTimeouts,
    completionP50: nearestRank(completion, 0.5),
    completionP99: nearestRank(completion, 0.99),
  };
}
