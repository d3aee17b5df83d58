/**
 * Named random streams derived from one run seed (common random numbers).
 *
 * Each stream is an independent Alea generator (alea.ts: seedrandom's, its state in a typed array)
 * seeded from the string `${seed}:${name}`, so a stream's draws depend only on the run seed and
 * its own name: adding a component, or a policy that draws more or fewer numbers from its own
 * stream, leaves every other stream unchanged.
 * That is what lets an A/B comparison show only the policy's effect.
 */
import { Alea } from './alea.js';

/** A source of uniform numbers in [0, 1). */
export interface Rng {
  next(): number;
}

export class RandomStreams {
  readonly seed: number;
  private readonly streams = new Map<string, Rng>();

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`random seed must be a finite number, got ${seed}`);
    this.seed = seed;
  }

  /**
   * The stream called `name` (e.g. `clients.ws.lifetime`). Asking twice returns the same stream,
   * so two consumers sharing a name share one sequence: give each consumer its own name.
   */
  stream(name: string): Rng {
    let rng = this.streams.get(name);
    if (rng === undefined) {
      // Alea's raw generator: no allocation per draw, 32 bits of resolution. seedrandom's
      // `double()` would cost two draws per number, and 2^-32 is finer than any time the model resolves.
      rng = new Alea(`${this.seed}:${name}`);
      this.streams.set(name, rng);
    }
    return rng;
  }
}
