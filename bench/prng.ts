import { Mulberry32 } from '../sim/engine/mulberry32.js';

/**
 * A tiny fixed-seed PRNG (mulberry32) so benchmark runs draw the same numbers every time.
 * Benchmarks must not use Math.random, and must not depend on the simulator's own random
 * streams: a change there would silently change what the benchmark measures.
 */
export class BenchRng extends Mulberry32 {
  /** Exponential with the given mean. 1 - u keeps the argument of log in (0, 1]. */
  exp(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }
}
