import seedrandom from 'seedrandom';

/** 2^-32: Alea's carry weight and the resolution of its draws. */
const TWO_POW_MINUS_32 = 2.3283064365386963e-10;
/** Alea's multiplier (Baagøe's "a"). */
const MULTIPLIER = 2091639;

/**
 * Baagøe's Alea, the generator of every named stream (random.ts), with its four numbers of state
 * in a Float64Array instead of the properties seedrandom's `alea` keeps on its closure's object:
 * there each draw writes three doubles and an integer through boxed property slots, here it
 * writes four elements of one typed array in place and allocates nothing.
 *
 * The sequence is seedrandom's own, draw for draw: the state starts as seedrandom.alea's state
 * for the same seed (its Mash seeding, read through its `state` option, so seeding is not
 * re-implemented), and `next` is its `next` (seedrandom lib/alea.js) with the same arithmetic on
 * the same doubles in the same order. test/engine/alea.test.ts compares the two over 10^5+ draws.
 * An Rng (random.ts) by its shape: it does not import random.ts, which imports it.
 */
export class Alea {
  /** s0, s1, s2 (fractions in [0, 1)) and the carry c (an integer), as Alea names them. */
  private readonly s = new Float64Array(4);

  constructor(seed: string) {
    const start = seedrandom.alea(seed, { state: true }).state();
    this.s[0] = start.s0;
    this.s[1] = start.s1;
    this.s[2] = start.s2;
    this.s[3] = start.c;
  }

  /** Uniform in [0, 1), 32 bits of resolution (seedrandom's alea() / quick()). */
  next(): number {
    const s = this.s;
    const t = MULTIPLIER * s[0] + s[3] * TWO_POW_MINUS_32;
    s[0] = s[1];
    s[1] = s[2];
    const c = t | 0;
    s[3] = c;
    const r = t - c;
    s[2] = r;
    return r;
  }
}
