/**
 * PLACEHOLDER being replaced by the full assertion language (issue 5). Supports
 * `<figure> <op> <number>` only; unknown figures are errors.
 */
import type { ExpectationResult, RunResult } from '../result.js';
import { ScenarioError } from '../scenario/errors.js';

const OPS: Record<string, (a: number, b: number) => boolean> = {
  '<=': (a, b) => a <= b,
  '>=': (a, b) => a >= b,
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
  '<': (a, b) => a < b,
  '>': (a, b) => a > b,
};

export function checkExpectations(result: RunResult, exprs: readonly string[], file: string): ExpectationResult[] {
  return exprs.map((text, i) => {
    const m = /^\s*([\w.-]+)\s*(<=|>=|==|!=|<|>)\s*(-?[\d.]+)\s*$/.exec(text);
    if (!m || !(m[1] in result.figures)) {
      throw new ScenarioError([{ file, path: `expect[${i}]`, message: `unknown figure or bad assertion '${text}'` }]);
    }
    const actual = result.figures[m[1]];
    const passed = actual !== null && OPS[m[2]](actual, Number(m[3]));
    return { text, passed, actual };
  });
}
