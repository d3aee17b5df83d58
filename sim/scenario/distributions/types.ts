import type { Rng } from '../../engine/random.js';

/**
 * A probability distribution over non-negative values (seconds, or plain numbers), parsed from
 * scenario text. Every family is closed-form, so tests and planners can compare simulated
 * figures with exact ones.
 */
export interface Distribution {
  /** Normalised text, e.g. `exp(mean=2s)`; parsing it again gives the same distribution. */
  readonly spec: string;
  /** One draw. Allocation-free: it sits on the per-connection hot path. */
  sample(rng: Rng): number;
  /** Exact mean (Infinity when it does not exist). */
  mean(): number;
  /** Inverse CDF: the smallest x with cdf(x) ≥ p, for p in [0, 1]. */
  quantile(p: number): number;
  /** P(X ≤ x). */
  cdf(x: number): number;
}

/** What a family's builder needs besides its own arguments. */
export interface ParseContext {
  /** Arguments are durations with units (`2s`) or plain numbers. */
  readonly unit: 'duration' | 'number';
  /** Directory that `empirical(file.csv)` paths are relative to. */
  readonly baseDir: string;
  /** Parses a nested distribution (for `mix`). */
  parse(text: string): Distribution;
}

/** One distribution family: its name and how to build it from the raw argument texts. */
export interface Family {
  readonly name: string;
  /** Other accepted spellings of the name, e.g. `exponential` for `exp`. */
  readonly aliases?: readonly string[];
  /** One-line usage shown in error messages, e.g. `exp(mean=2s) or exp(rate=0.5)`. */
  readonly usage: string;
  build(args: readonly string[], context: ParseContext): Distribution;
}

/** Throws the RangeError every family uses for a probability outside [0, 1]. */
export function checkProbability(p: number): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile probability must be in [0, 1], got ${p}`);
}
