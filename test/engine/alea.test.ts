import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { Alea } from '../../sim/engine/alea.js';
import { RandomStreams } from '../../sim/engine/random.js';

/** seedrandom's alea stays the oracle: alea.ts must give its sequence, draw for draw. */
const DRAWS = 200_000;
/** Seed strings as random.ts builds them (`${seed}:${name}`), and a few odd ones. */
const SEEDS = ['7:clients.http.clients', '1:app.b0.service', '0:lb.health', '9007199254740991:x', '', 'ünï€ode ✓'];

/** Indices where the two sequences differ (at most `limit`), after `n` draws of each. */
function mismatches(ours: () => number, oracle: () => number, n: number, limit = 5): number[] {
  const out: number[] = [];
  for (let i = 0; i < n && out.length < limit; i++) {
    // Object.is: exactly the same double, and -0 or NaN would not pass for 0.
    if (!Object.is(ours(), oracle())) out.push(i);
  }
  return out;
}

describe('Alea (typed-array state)', () => {
  for (const seed of SEEDS) {
    it(`gives seedrandom.alea's sequence for seed ${JSON.stringify(seed)} over ${DRAWS} draws`, () => {
      const ours = new Alea(seed);
      const oracle = seedrandom.alea(seed);
      expect(mismatches(() => ours.next(), oracle, DRAWS)).toEqual([]);
    });
  }

  it('is what RandomStreams hands out, so every named stream keeps its old sequence', () => {
    const stream = new RandomStreams(42).stream('clients.http.think');
    const oracle = seedrandom.alea('42:clients.http.think');
    expect(mismatches(() => stream.next(), oracle, DRAWS)).toEqual([]);
  });

  it('would notice a different sequence (the check is not vacuous)', () => {
    const ours = new Alea('7:a');
    const other = seedrandom.alea('7:b');
    expect(mismatches(() => ours.next(), other, 10)).toHaveLength(5);
    // One draw out of step is caught too.
    const shifted = new Alea('7:a');
    shifted.next();
    expect(mismatches(() => shifted.next(), seedrandom.alea('7:a'), 10)).toHaveLength(5);
  });

  it('draws in [0, 1)', () => {
    const rng = new Alea('range');
    let lo = 1;
    let hi = 0;
    for (let i = 0; i < DRAWS; i++) {
      const x = rng.next();
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
  });
});
