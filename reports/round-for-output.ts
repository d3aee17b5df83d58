/**
 * Numbers as they appear in output files: at most 6 decimals, so float noise from the simulation
 * (0.30000000000000004) never reaches summary.json or timeline.csv and reruns compare byte for byte.
 */

const DECIMALS = 6;

/** Rounds one number; non-finite values become null because JSON and CSV cannot carry them. */
export function roundNumber(value: number): number | null {
  // An integer (most timeline values: counts) is its own rounding: toFixed writes its exact digits
  // (or, from 1e21, its shortest form), which parse back to it. Skipping the string round trip is
  // a third of timeline.csv's and report.html's time in a short run (issue 14 start-up).
  if (Number.isInteger(value)) return value === 0 ? 0 : value;
  if (!Number.isFinite(value)) return null;
  const rounded = Number(value.toFixed(DECIMALS));
  // -0 would print as "0" in JSON but "-0" nowhere else; normalise so every format agrees.
  return rounded === 0 ? 0 : rounded;
}

/** Rounds every number inside a JSON-like value, keeping arrays, objects and key order as they are. */
export function roundForOutput(value: unknown): unknown {
  if (typeof value === 'number') return roundNumber(value);
  if (Array.isArray(value)) return value.map(roundForOutput);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = roundForOutput(inner);
    return out;
  }
  return value;
}
