/**
 * hard-cut as explain tells it (review 30 #3): the requests in flight on vm-c at its kill
 * (14:02:00) get nginx's 502, which meets the RST of the flows the balancer forgot, so their
 * clients time out 30 s later (err_client_timeout 14, err_etimedout before session 31; 20 before session 26, whose requests on their way
 * at the kill reach the forgotten flows after it: RST), just before the vanish at 14:02:30. The kill's
 * phase counts those client timeouts (as the terminal story does), not the vanish's, and the kill's
 * note does not say they fail with 502.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { narrate } from '../../sim/explain/narrate.js';
import { phaseSummary } from '../../sim/explain/phase-summary.js';
import { splitPhases } from '../../sim/explain/phases.js';
import { RunFacts } from '../../sim/explain/run-facts.js';
import type { RunResult } from '../../sim/result.js';
import { loadScenarioForCli, namedScenario } from '../../sim/scenario/load-for-run.js';
import type { Scenario } from '../../sim/scenario/schema.js';
import { runBuiltin } from '../model/helpers.js';

describe('hard-cut: the requests in flight at the kill', () => {
  let result: RunResult;
  let scenario: Scenario;
  beforeAll(() => {
    result = runBuiltin('hard-cut');
    scenario = namedScenario(loadScenarioForCli('hard-cut'));
  });

  it('time out in the kill phase, not in the vanish phase', () => {
    expect(result.figures['err_client_timeout.total']).toBe(14);
    const facts = new RunFacts(result, scenario);
    const [, kill, vanish] = splitPhases(result);
    expect(kill!.mark!.label).toContain('kill');
    expect(vanish!.mark!.label).toContain('vanish');
    expect(phaseSummary(kill!, facts)).toContain('client timeout 14');
    expect(phaseSummary(vanish!, facts)).not.toContain('client timeout');
    // Every error is in one phase or another: none counted twice, none lost.
    const errors = splitPhases(result).map(
      (p) => facts.sum('errors', 'total', p.from, p.to >= result.horizon ? Infinity : p.to)!,
    );
    expect(errors.reduce((a, b) => a + b, 0)).toBe(result.figures['errors.total']);
    // A phase's per-second peak reads the same samples as its total (review31).
    expect(facts.peakPerSecond('err_client_timeout', 'total', kill!.from, kill!.to)).toBeGreaterThan(0);
    expect(facts.peakPerSecond('err_client_timeout', 'total', vanish!.from, vanish!.to)).toBe(0);
  });

  it('are told as timeouts behind the forgotten flows, not as 502s the clients got', () => {
    const prose = narrate(result, scenario, { color: false, width: 100 }).replace(/\s+/g, ' ');
    expect(prose).not.toContain('fail with 502');
    expect(prose).toContain('never gets it and times out instead (its own request timeout: err_client_timeout');
  });
});
