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

import { holdsSeconds } from '../expect/figure-unit.js';
import { AssertionIssue } from '../expect/issue.js';
import { readValue } from '../expect/literals.js';
import { nearest } from '../scenario/nearest.js';

export type Tolerance =
  | { kind: 'exact' }
  | { kind: 'any' }
  | { kind: 'relative'; fraction: number; text: string }
  | { kind: 'absolute'; amount: number; text: string; unitless: boolean };

export interface Tolerances {
  fallback: Tolerance;
  rules: { pattern: string; spec: string; match: RegExp; tolerance: Tolerance }[];
}

export class ToleranceError extends Error {
  override readonly name = 'ToleranceError';
}

function readTolerance(text: string, spec: string): Tolerance {
  const trimmed = text.trim();
  if (trimmed === 'any') return { kind: 'any' };
  let literal: ReturnType<typeof readValue>;
  try {
    literal = readValue(trimmed);
  } catch (err) {
    if (err instanceof AssertionIssue) throw new ToleranceError(`--tolerance ${spec}: ${err.message}`);
    throw err;
  }
  if (literal.value < 0) throw new ToleranceError(`--tolerance ${spec}: a tolerance cannot be negative`);
  if (literal.value === 0) return { kind: 'exact' };
  return literal.kind === 'percent'
    ? { kind: 'relative', fraction: literal.value, text: trimmed }
    : { kind: 'absolute', amount: literal.value, text: trimmed, unitless: literal.kind === 'number' };
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
      // One absolute amount for every figure mixes units (5 errors, 5 s, 5 connections/s).
      if (out.fallback.kind === 'absolute') {
        throw new ToleranceError(
          `--tolerance ${spec}: a tolerance for every figure must be relative (${spec.trim()}%) or 0; give absolute amounts per figure (errors.total=${spec.trim()}, '*.p99=10ms')`,
        );
      }
      continue;
    }
    const pattern = spec.slice(0, eq).trim();
    if (pattern === '')
      throw new ToleranceError(`--tolerance ${spec}: expected <figure or glob>=<tolerance>, e.g. errors.total=0`);
    out.rules.push({ pattern, spec, match: globRegex(pattern), tolerance: readTolerance(spec.slice(eq + 1), spec) });
  }
  return out;
}

/**
 * Rules must match a figure of the summaries compared (`errors.totl=0` would silently guard
 * nothing), and a bare number must not be given to figures in seconds (`*.p99=10` is 10 s).
 */
export function checkRules(t: Tolerances, figures: readonly string[]): void {
  for (const rule of t.rules) {
    const matched = figures.filter((f) => rule.match.test(f));
    const { spec } = rule;
    if (matched.length === 0) {
      const suggestion = nearest(rule.pattern, figures);
      throw new ToleranceError(
        `--tolerance ${spec}: '${rule.pattern}' matches no figure of these summaries${suggestion === undefined ? '' : `; did you mean '${suggestion}'?`}`,
      );
    }
    const seconds = matched.find(holdsSeconds);
    if (rule.tolerance.kind === 'absolute' && rule.tolerance.unitless && seconds !== undefined) {
      throw new ToleranceError(
        `--tolerance ${spec}: '${rule.tolerance.text}' has no unit, but ${seconds} is in seconds: write ${rule.tolerance.text}ms or ${rule.tolerance.text}s`,
      );
    }
  }
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
