import seedrandom from 'seedrandom';
import type { Rng } from './random.js';

/**
 * Baagoe's Alea generator (seedrandom's lib/alea.js), the draw as a class method over a
 * Float64Array instead of seedrandom's closure over an object with four double properties.
 * seedrandom's `next` reads and writes `me.s0`, `me.s1`, `me.s2` and `me.c`, four boxed doubles
 * (V8 keeps a double property in its own heap number), on every draw; here they are four
 * neighbouring numbers in one array. The arithmetic is seedrandom's, statement for statement,
 * so every draw is the same double (test/engine/random.test.ts compares long sequences).
 * Seeding is seedrandom's own (its Mash of the seed string), read back through its `state` option.
 */
export class AleaStream implements Rng {
  /** s0, s1, s2 and the carry c, in that order. */
  private readonly s = new Float64Array(4);

  constructor(seed: string) {
    const state = seedrandom.alea(seed, { state: true }).state();
    this.s[0] = state.s0;
    this.s[1] = state.s1;
    this.s[2] = state.s2;
    this.s[3] = state.c;
  }

  /** Uniform in [0, 1) with 32 bits of resolution (seedrandom's `alea()` as a function). */
  next(): number {
    const s = this.s;
    const t = 2091639 * s[0] + s[3] * 2.3283064365386963e-10; // 2^-32
    s[0] = s[1];
    s[1] = s[2];
    const c = t | 0;
    s[3] = c;
    const r = t - c;
    s[2] = r;
    return r;
  }
}
