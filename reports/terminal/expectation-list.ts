/** The scenario's assertions with their verdicts, failures pinned to the wall clock. */
import { actualText } from '../../sim/expect/actual-text.js';
import type { ExpectationResult, RunResult } from '../../sim/result.js';
import { colorize } from '../colorize.js';
import { type WallClock, wallClock } from '../wall-clock.js';
import type { ConsoleContext } from '../writer.js';
import { INDENT } from './layout.js';

function details(e: ExpectationResult, clock: WallClock): string {
  const parts = [
    e.actual === null ? '' : `actual ${actualText(e)}`,
    e.at === undefined ? '' : `at ${clock.at(e.at)}`,
    e.message ?? '',
  ];
  return parts.filter((s) => s !== '').join(' · ');
}

export function expectationLines(result: RunResult, ctx: ConsoleContext): string[] {
  const list = result.expectations;
  if (list.length === 0) return [];
  const clock = wallClock(result.start);
  const failed = list.filter((e) => !e.passed).length;
  const tally = colorize(`${list.length - failed} passed, ${failed} failed`, failed > 0 ? 'fail' : 'ok', ctx.color);
  const textWidth = Math.max(...list.map((e) => e.text.length));
  const lines = [`${colorize('Expectations', 'bold', ctx.color)} · ${tally}`];
  for (const e of list) {
    // Symbols need colour to be told apart at a glance; without colour, words are clearer.
    const word = ctx.color ? (e.passed ? '✓' : '✗') : e.passed ? 'PASS' : 'FAIL';
    const mark = colorize(word, e.passed ? 'ok' : 'fail', ctx.color);
    const more = details(e, clock);
    lines.push(more === '' ? `${INDENT}${mark} ${e.text}` : `${INDENT}${mark} ${e.text.padEnd(textWidth)}  ${more}`);
  }
  return lines;
}
