/**
 * `--tolerance` for `drainsim compare`: how much a figure may move before the comparison fails.
 *
 *     --tolerance 5%                  every figure may move 5% of its baseline value
 *     --tolerance errors.total=0      this figure must not move at all
 *     --tolerance '*.p99=10ms'        a glob: every p99 may move 10 ms (absolute, in the figure's unit)
 *     --tolerance 'drain.*=any'       ignore these figures
 *
 * Without any, figures must match exactly: runs are deterministic, so the same scenario, seed and
 * drainsim version give identical figures and any difference is a real change. Later rules win.
 */
import { AssertionIssue } from '../expect/issue.js';
import { readValue } from '../expect/literals.js';

export type Tolerance =
  | { kind: 'exact' }
  | { kind: 'any' }
  | { kind: 'relative'; fraction: number; text: string }
  | { kind: 'absolute'; amount: number; text: string };

export interface Tolerances {
  fallback: Tolerance;
  rules: { pattern: string; match: RegExp; tolerance: Tolerance }[];
}

export class ToleranceError extends Error {
  override readonly name = 'ToleranceError';
}

function readTolerance(text: string, spec: string): Tolerance {
  const trimmed = text.trim();
  if (trimmed === 'any') return { kind: 'any' };
  let literal;
  try {
    literal = readValue(trimmed);
  } catch (err) {
    if (err instanceof AssertionIssue) throw new ToleranceError(`--tolerance ${spec}: ${err.message}`);
    throw err;
  }
  if (literal.value < 0) throw new ToleranceError(`--tolerance ${spec}: a tolerance cannot be negative`);
  if (literal.value === 0) return { kind: 'exact' };
  return literal.kind === 'percent' ? { kind: 'relative', fraction: literal.value, text: trimmed } : { kind: 'absolute', amount: literal.value, text: trimmed };
}

function globRegex(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

export function parseTolerances(specs: readonly string[]): Tolerances {
  const out: Tolerances = { fallback: { kind: 'exact' }, rules: [] };
  for (const spec of specs) {
    const eq = spec.lastIndexOf('=');
    if (eq < 0) {
      out.fallback = readTolerance(spec, spec);
      continue;
    }
    const pattern = spec.slice(0, eq).trim();
    if (pattern === '') throw new ToleranceError(`--tolerance ${spec}: expected <figure or glob>=<tolerance>, e.g. errors.total=0`);
    out.rules.push({ pattern, match: globRegex(pattern), tolerance: readTolerance(spec.slice(eq + 1), spec) });
  }
  return out;
}

export function toleranceFor(figure: string, t: Tolerances): Tolerance {
  for (let i = t.rules.length - 1; i >= 0; i--) if (t.rules[i]!.match.test(figure)) return t.rules[i]!.tolerance;
  return t.fallback;
}

export function describeTolerance(t: Tolerance): string {
  return t.kind === 'exact' || t.kind === 'any' ? t.kind : t.text;
}

/** Whether moving from `base` to `candidate` (null: no value) is more than `t` allows. */
export function exceeds(t: Tolerance, base: number | null, candidate: number | null): boolean {
  if (t.kind === 'any') return false;
  if (base === null || candidate === null) return base !== candidate;
  const diff = Math.abs(candidate - base);
  if (t.kind === 'exact') return diff > 0;
  // A relative tolerance of a zero baseline allows no change: 0 → 3 errors is not "within 5%".
  return diff > (t.kind === 'relative' ? t.fraction * Math.abs(base) : t.amount);
}
