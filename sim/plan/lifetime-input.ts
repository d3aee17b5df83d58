/**
 * `--lifetimes`: a distribution as scenario files write it (`lognormal(median=30m, p99=6h)`),
 * `empirical(sessions.csv)`, or just the path of a CSV of measured session durations exported
 * from logs. Measured durations are kept, so the plan can say how sure it is of them.
 */
import { type Distribution, parseDistribution } from '../scenario/distribution.js';
import { readEmpiricalValues } from '../scenario/distributions/empirical-csv.js';

export interface Lifetimes {
  distribution: Distribution;
  /** The measured durations (ascending) when the lifetimes came from a CSV; null otherwise. */
  samples: Float64Array | null;
}

const EMPIRICAL = /^empirical\((.*)\)$/;

export function readLifetimes(text: string, baseDir: string = process.cwd()): Lifetimes {
  const trimmed = text.trim();
  const spec = /\.csv$/i.test(trimmed) && !trimmed.includes('(') ? `empirical(${trimmed})` : trimmed;
  const distribution = parseDistribution(spec, { baseDir });
  const file = EMPIRICAL.exec(distribution.spec)?.[1];
  return { distribution, samples: file === undefined ? null : readEmpiricalValues(file, baseDir, 'duration') };
}
