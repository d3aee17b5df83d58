/**
 * A short `drainsim run` gets V8 flags that compile less (sim/util/jit-tuning.ts); a long one
 * keeps V8's defaults, under which its optimized code runs faster (hc-cascade: 13 % less CPU).
 * Which built-ins count as short follows from the work budget's estimate.
 */
import { describe, expect, it } from 'vitest';
import { loadScenarioForCli, namedScenario } from '../../sim/scenario/load-for-run.js';
import { estimateWork } from '../../sim/scenario/work-budget.js';
import { jitFlagsFor, SHORT_RUN_FLAGS, SHORT_RUN_MAX_ESTIMATED_EVENTS } from '../../sim/util/jit-tuning.js';

const estimate = (name: string) => estimateWork(namedScenario(loadScenarioForCli(name, []))).events;

describe('JIT tuning for a short run', () => {
  it('only a run estimated at most SHORT_RUN_MAX_ESTIMATED_EVENTS gets the short-run flags', () => {
    expect(jitFlagsFor(SHORT_RUN_MAX_ESTIMATED_EVENTS)).toEqual(SHORT_RUN_FLAGS);
    expect(jitFlagsFor(SHORT_RUN_MAX_ESTIMATED_EVENTS + 1)).toEqual([]);
    expect(SHORT_RUN_FLAGS.length).toBeGreaterThan(0);
  });

  it('the smallest built-in is a short run; hard-cut (1.2 M events) and hc-cascade (8.1 M) are not', () => {
    // deep-check-slow-db: 70,767 events (the bench's start-up pair).
    expect(jitFlagsFor(estimate('deep-check-slow-db'))).toEqual(SHORT_RUN_FLAGS);
    expect(jitFlagsFor(estimate('hard-cut'))).toEqual([]);
    expect(jitFlagsFor(estimate('hc-cascade'))).toEqual([]);
  });
});
