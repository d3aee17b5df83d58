/**
 * What a scenario says about itself beyond its description: the article it replays (`source:`) and
 * whether it demonstrates a failure, a fix or a baseline (`shows:`). Read from the resolved scenario
 * (typed `unknown` in a RunResult), so a hand-made result without them simply has none.
 */
import type { RunResult } from '../sim/result.js';

export interface ScenarioIntent {
  source?: string;
  shows?: 'failure' | 'fix' | 'baseline';
}

export function scenarioIntent(result: RunResult): ScenarioIntent {
  const r = result.resolved;
  if (typeof r !== 'object' || r === null) return {};
  const { source, shows } = r as Record<string, unknown>;
  const intent: ScenarioIntent = {};
  if (typeof source === 'string' && source !== '') intent.source = source;
  if (shows === 'failure' || shows === 'fix' || shows === 'baseline') intent.shows = shows;
  return intent;
}

/**
 * The verdict in words. A failure demonstration whose expectations all pass did what it set out to
 * do — show the failure — so it is not reported as a plain green "passed".
 */
export function verdictWords(result: RunResult): { text: string; tone: 'pass' | 'fail' | 'demo' | 'none' } {
  const total = result.expectations.length;
  const failed = result.expectations.filter((e) => !e.passed).length;
  if (total === 0) return { text: 'no expectations in this scenario', tone: 'none' };
  if (failed > 0) return { text: `${failed} of ${total} expectations failed`, tone: 'fail' };
  if (scenarioIntent(result).shows === 'failure')
    return { text: `demonstrates a failure: all ${total} expectations about it held`, tone: 'demo' };
  return { text: `all ${total} expectations passed`, tone: 'pass' };
}
