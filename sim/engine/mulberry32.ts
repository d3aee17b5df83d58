import type { Rng } from './random.js';

/**
 * A tiny 32-bit PRNG (mulberry32) for places that need many independent sequences cheaply:
 * one per simulated client (common random numbers per client), or a benchmark that must not
 * depend on the simulator's named streams. Seed it from a named stream, never from the clock.
 */
export class Mulberry32 implements Rng {
  /** The 32 state bits as a signed int32: V8 keeps an int32 field a small integer in place, while
   *  a uint32 above 2^31 is a heap number that every draw writes through. The draws are the same:
   *  `>>>`, `^`, `|` and Math.imul see the same 32 bits either way. */
  private state: number;

  constructor(seed = 0) {
    this.state = seed | 0;
  }

  seed(seed: number): void {
    this.state = seed | 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
