/**
 * Expectations as ✓/✗ lines, failures first, so that a cut summary still shows every failure.
 * A scenario that demonstrates a failure asserts it: its title says so instead of a bare "passed".
 */
import { actualText } from '../../../sim/expect/actual-text.js';
import type { RunResult } from '../../../sim/result.js';
import { colorize } from '../../colorize.js';
import { scenarioIntent } from '../../scenario-intent.js';
import { wallClock } from '../../wall-clock.js';
import type { ConsoleContext } from '../../writer.js';

export function expectationRows(
  result: RunResult,
  ctx: ConsoleContext,
  indent: string,
): { title: string; items: string[]; mustKeep: number } | undefined {
  const list = result.expectations;
  if (list.length === 0) return undefined;
  const clock = wallClock(result.start);
  const failed = list.filter((e) => !e.passed);
  const ordered = [...failed, ...list.filter((e) => e.passed)];
  const counts = `${list.length - failed.length} passed, ${failed.length} failed`;
  // A failure demonstration that held says so, rather than a bare green "passed".
  const demo = failed.length === 0 && scenarioIntent(result).shows === 'failure' ? ' · demonstrates a failure' : '';
  const tally = colorize(counts + demo, failed.length > 0 ? 'fail' : 'ok', ctx.color);
  const items = ordered.map((e) => {
    const word = ctx.color ? (e.passed ? '✓' : '✗') : e.passed ? 'PASS' : 'FAIL';
    const mark = colorize(word, e.passed ? 'ok' : 'fail', ctx.color);
    const extra = e.passed
      ? ''
      : [e.actual === null ? '' : `actual ${actualText(e)}`, e.at === undefined ? '' : `at ${clock.at(e.at)}`]
          .filter((s) => s !== '')
          .join(' · ');
    return `${indent}${mark} ${e.text}${extra === '' ? '' : `  ${extra}`}`;
  });
  return { title: `${colorize('Expectations', 'bold', ctx.color)} · ${tally}`, items, mustKeep: failed.length };
}
