import { beforeAll, describe, expect, it } from 'vitest';
import { PlanError } from '../../sim/plan/errors.js';
import { type FleetPlan, type FleetPlanInput, planFleetDrain } from '../../sim/plan/fleet/fleet-plan.js';
import { renderFleetPlanText } from '../../sim/plan/fleet/fleet-text.js';
import { readLifetimes } from '../../sim/plan/lifetime-input.js';
import { ResidualLife } from '../../sim/plan/residual-life.js';

function fleet(lifetimes: string, overrides: Partial<FleetPlanInput> = {}) {
  return planFleetDrain({
    lifetimes: readLifetimes(lifetimes),
    sessions: 2000,
    vms: 4,
    parallel: 1,
    deadline: 3600,
    ttl: null,
    timeout: null,
    restart: 30,
    pause: 0,
    notice: false,
    reconnectWindow: 5,
    target: 0.001,
    seed: 1,
    replicas: 12,
    ...overrides,
  });
}

describe('fleet plan: Monte Carlo rollouts against the closed forms', () => {
  it('one VM: the rollout cuts N·P(R > D) and lasts E[min(D, last end)] + restart, as the closed form says', () => {
    const N = 2000;
    const D = 120;
    const p = fleet('exp(mean=2m)', { vms: 1, sessions: N, ttl: Infinity, timeout: D, replicas: 30 });
    const expectedCut = N * Math.exp(-D / 120);
    expect(p.chosen.expected.cut).toBeCloseTo(expectedCut, 3);
    // Sampling error: 4 standard errors of the mean of 30 binomial counts.
    const se = Math.sqrt((expectedCut * (1 - Math.exp(-D / 120))) / 30);
    expect(Math.abs(p.simulated.cut.mean - expectedCut)).toBeLessThan(4 * se);
    // 2000 exponential residuals: the last one outlives 2m, so the step is the whole timeout.
    expect(p.simulated.rolloutTime.mean).toBeCloseTo(D + 30, 6);
    expect(p.chosen.expected.rolloutTime).toBeCloseTo(D + 30, 3);
    expect(p.simulated.moved.mean).toBe(0);
  });

  it('long sessions cut on one VM land on the VMs still to drain: later drains cut more than the first-order closed form, and some twice', () => {
    const p = fleet('lognormal(median=40m, p99=8h)', { vms: 6, ttl: Infinity, timeout: 240 });
    // The closed form assumes every VM holds a fresh steady share; the cut ones come back with long remaining lives.
    expect(p.simulated.cut.ci95Low!).toBeGreaterThan(1.2 * p.chosen.expected.cut);
    expect(p.simulated.movedTwice.mean).toBeGreaterThan(0.1 * p.input.sessions);
    expect(p.simulated.reconnectPeak.mean).toBeGreaterThan(p.chosen.expected.cut / 6 / 5);
  });

  it('a TTL no longer than the drain timeout leaves nothing to cut; the TTL closes are the price', () => {
    const p = fleet('lognormal(median=40m, p99=8h)', { ttl: 600, timeout: 600, vms: 3 });
    expect(p.chosen.expected.cut).toBe(0);
    expect(p.simulated.cut.max).toBe(0);
    const residual = ResidualLife.of(readLifetimes('lognormal(median=40m, p99=8h)').distribution);
    expect(p.chosen.expected.ttlReconnectsPerSecond).toBeGreaterThan(2000 / residual.integrated.mean);
    // Within 15 % of the renewal rate × rollout time (cut-free: the closed form's only approximation is the reconnect gap).
    expect(p.simulated.moved.mean / p.chosen.expected.moved).toBeGreaterThan(0.85);
    expect(p.simulated.moved.mean / p.chosen.expected.moved).toBeLessThan(1.15);
  });

  it('with a drain notice the leftovers are 1001 moves, not 1006 cuts', () => {
    const p = fleet('lognormal(median=40m, p99=8h)', { ttl: Infinity, timeout: 120, notice: true, vms: 3 });
    expect(p.simulated.cut.max).toBe(0);
    expect(p.simulated.moved.mean).toBeGreaterThan(0.5 * 2000);
  });
});

describe('fleet plan: the search and its trade-off table', () => {
  let p: FleetPlan;
  beforeAll(() => {
    p = fleet('lognormal(median=40m, p99=8h)', { vms: 12, sessions: 3000, replicas: 4 });
  });

  it('gives each step the deadline split over the steps, minus the restart', () => {
    expect(p.timeoutBudget).toBe(3600 / 12 - 30);
    for (const row of p.rows) expect(row.setting.timeout).toBe(270);
  });

  it('shows every TTL, not one degenerate value, and answers with the longest TTL that meets the cut target', () => {
    expect(p.rows.length).toBeGreaterThan(10);
    const none = p.rows.find((r) => r.setting.ttl === Infinity)!;
    expect(none.expected.cut).toBeGreaterThan(0.5 * 3000);
    expect(p.best).not.toBeNull();
    const best = p.best!;
    expect(best.meetsDeadline && best.meetsTarget).toBe(true);
    for (const r of p.rows) if (r.meetsTarget) expect(r.setting.ttl).toBeLessThanOrEqual(best.setting.ttl);
    for (const r of p.rows)
      if (r.meetsTarget && r !== best) expect(r.expected.moved).toBeGreaterThan(best.expected.moved);
    const text = renderFleetPlanText(p);
    expect(text).toContain('Answer: session TTL');
    expect(text).toContain('moved twice or more');
  });

  it('refuses a deadline that the restarts alone exceed', () => {
    expect(() => fleet('exp(mean=2m)', { vms: 12, deadline: 300, restart: 30 })).toThrow(PlanError);
  });
});
