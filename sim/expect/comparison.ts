/**
 * The right-hand side of an assertion: an operator and the value(s) it compares with. Beside the
 * verdict it tells which way a failure went (too high or too low), which decides the moment a
 * window failure is pinned to.
 */

import { AssertionIssue } from './issue.js';
import { type Literal, readValue } from './literals.js';
import type { CheckNode, Op } from './syntax.js';

export type Comparison =
  | { kind: 'compare'; op: Op; expected: Literal }
  | { kind: 'within'; target: Literal; tolerance: Literal };

export type Direction = 'high' | 'low' | 'none';

export function readComparison(node: CheckNode): Comparison {
  if (node.kind === 'compare') return { kind: 'compare', op: node.op, expected: readValue(node.value) };
  const tolerance = readValue(node.tolerance);
  if (tolerance.value < 0) throw new AssertionIssue(`tolerance '${node.tolerance}' is negative`);
  return { kind: 'within', target: readValue(node.value), tolerance };
}

/** The allowed interval of a `within` check: a percentage is relative to the target. */
function bounds(c: Extract<Comparison, { kind: 'within' }>): [number, number] {
  const target = c.target.value;
  const slack = c.tolerance.kind === 'percent' ? Math.abs(target) * c.tolerance.value : c.tolerance.value;
  return [target - slack, target + slack];
}

export function holds(c: Comparison, actual: number): boolean {
  if (c.kind === 'within') {
    const [low, high] = bounds(c);
    return actual >= low && actual <= high;
  }
  const e = c.expected.value;
  switch (c.op) {
    case '<':
      return actual < e;
    case '<=':
      return actual <= e;
    case '>':
      return actual > e;
    case '>=':
      return actual >= e;
    case '==':
      return actual === e;
    case '!=':
      return actual !== e;
  }
}

/** Which way a failing value missed: above what was allowed, below it, or neither (`!=`). */
export function missDirection(c: Comparison, actual: number): Direction {
  if (holds(c, actual)) return 'none';
  if (c.kind === 'within') return actual > bounds(c)[1] ? 'high' : 'low';
  if (c.op === '!=') return 'none';
  return actual > c.expected.value ? 'high' : 'low';
}

/** Whether larger values are the risky side, for choosing the worst of several (seeds, samples). */
export function riskySide(c: Comparison): 'high' | 'low' | 'far' {
  if (c.kind === 'compare' && (c.op === '<' || c.op === '<=')) return 'high';
  if (c.kind === 'compare' && (c.op === '>' || c.op === '>=')) return 'low';
  return 'far';
}

/** The index of the value closest to failing (or most failed), first on ties. */
export function worstIndex(c: Comparison, values: readonly number[]): number {
  const side = riskySide(c);
  const centre = c.kind === 'within' ? c.target.value : c.expected.value;
  // For `!=` the value nearest the forbidden one is the worst; for `==` and `within`, the farthest.
  const sign = c.kind === 'compare' && c.op === '!=' ? -1 : 1;
  const badness = (v: number): number => (side === 'high' ? v : side === 'low' ? -v : sign * Math.abs(v - centre));
  let worst = 0;
  for (let i = 1; i < values.length; i++) if (badness(values[i]!) > badness(values[worst]!)) worst = i;
  return worst;
}

/** What was expected, in words for a failure message: `<= 300`, `within 20% of 420 (336 to 504)`. */
export function describeComparison(c: Comparison): string {
  if (c.kind === 'compare') return `${c.op} ${c.expected.text}`;
  const [low, high] = bounds(c);
  return `within ${c.tolerance.text} of ${c.target.text} (${trim(low)} to ${trim(high)})`;
}

function trim(x: number): string {
  return String(Number(x.toFixed(6)));
}
