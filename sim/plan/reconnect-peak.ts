/**
 * The reconnect peak after a drain notice: every session is told to come back at a uniform
 * random moment within the jitter window W (full jitter over retryAfter, as clients honour it),
 * so arrivals per second are roughly Poisson with mean N/W and the busiest second is what the
 * remaining backends must absorb. Its distribution has no handy closed form, hence replicas.
 */
import type { Rng } from '../engine/random.js';
import { nearestRank } from '../sweep/sample-stats.js';

export interface ReconnectPeak {
  /** Jitter window in seconds. */
  window: number;
  /** Busiest one-second bin, over the replicas. */
  mean: number;
  p50: number;
  p99: number;
}

export function reconnectPeak(sessions: number, window: number, replicas: number, rng: Rng): ReconnectPeak {
  const bins = new Int32Array(Math.max(1, Math.ceil(window)));
  const peaks = new Float64Array(replicas);
  let sum = 0;
  for (let r = 0; r < replicas; r++) {
    bins.fill(0);
    let peak = 0;
    for (let s = 0; s < sessions; s++) {
      const count = ++bins[Math.floor(rng.next() * window)]!;
      if (count > peak) peak = count;
    }
    peaks[r] = peak;
    sum += peak;
  }
  peaks.sort();
  return { window, mean: sum / replicas, p50: nearestRank(peaks, 0.5), p99: nearestRank(peaks, 0.99) };
}
