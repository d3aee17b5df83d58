/**
 * A tiny fixed-seed PRNG (mulberry32) so benchmark runs draw the same numbers every time.
 * Benchmarks must not use Math.random, and must not depend on the simulator's own random
 * streams: a change there would silently change what the benchmark measures.
 */
export class BenchRng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Exponential with the given mean. 1 - u keeps the argument of log in (0, 1]. */
  exp(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}
