import { describe, expect, it } from 'vitest';
import { scenarioIntent, verdictWords } from '../../reports/scenario-intent.js';
import { fixtureResult } from './fixture.js';

function withIntent(resolved: Record<string, unknown>, passed: boolean[]) {
  const result = fixtureResult();
  result.resolved = resolved;
  result.expectations = passed.map((p, i) => ({ text: `e${i}`, passed: p, actual: 0 }));
  return result;
}

describe('verdictWords', () => {
  it('says a failure demonstration whose expectations hold demonstrates a failure, not "passed"', () => {
    expect(verdictWords(withIntent({ shows: 'failure' }, [true, true]))).toEqual({
      text: 'demonstrates a failure: all 2 expectations about it held',
      tone: 'demo',
    });
  });

  it('reports a fix, a baseline or an unlabelled scenario as passed, and any failure as failed', () => {
    for (const shows of ['fix', 'baseline', undefined]) {
      expect(verdictWords(withIntent({ shows }, [true])).tone).toBe('pass');
    }
    expect(verdictWords(withIntent({ shows: 'failure' }, [true, false]))).toEqual({
      text: '1 of 2 expectations failed',
      tone: 'fail',
    });
  });

  it('reads source and shows from the resolved scenario, ignoring anything malformed', () => {
    expect(scenarioIntent(withIntent({ source: 'The Load Balancer Lied', shows: 'fix' }, []))).toEqual({
      source: 'The Load Balancer Lied',
      shows: 'fix',
    });
    expect(scenarioIntent(withIntent({ source: 3, shows: 'maybe' }, []))).toEqual({});
  });
});
