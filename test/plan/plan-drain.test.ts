import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RandomStreams } from '../../sim/engine/random.js';
import { PlanError } from '../../sim/plan/errors.js';
import { readLifetimes } from '../../sim/plan/lifetime-input.js';
import { type DrainPlan, type DrainPlanInput, planDrain } from '../../sim/plan/plan-drain.js';
import { renderPlanText } from '../../sim/plan/plan-text.js';
import { ResidualLife } from '../../sim/plan/residual-life.js';
import { parseDistribution } from '../../sim/scenario/distribution.js';

function plan(lifetimes: string, overrides: Partial<DrainPlanInput> = {}) {
  return planDrain({
    lifetimes: readLifetimes(lifetimes),
    sessions: 1200,
    window: 600,
    target: 0.999,
    reconnectCapacity: null,
    seed: 1,
    replicas: 1000,
    resamples: 0,
    ...overrides,
  });
}

/** A Monte Carlo proportion agrees with the exact one within 4 standard errors (or the Wilson interval). */
function expectWithinSamplingError(
  mc: { estimate: number; low: number; high: number },
  exact: number,
  trials: number,
): void {
  const se = Math.sqrt((exact * (1 - exact)) / trials);
  const inInterval = exact >= mc.low && exact <= mc.high;
  expect(inInterval || Math.abs(mc.estimate - exact) <= 4 * se).toBe(true);
}

describe('planDrain on exponential lifetimes agrees with the closed forms', () => {
  const m = 120;
  const N = 1200;
  const target = 0.999;
  let p: DrainPlan;
  beforeAll(() => {
    p = plan('exp(mean=2m)', { window: 1800, sessions: N, target });
  });

  it('needs t = m·ln(1/(1 − target)) for the expected remaining fraction e^(−t/m) to reach 1 − target', () => {
    expect(p.fits).toBe(true);
    expect(p.ttl).toBeNull();
    expect(p.notice).toBeNull();
    expect(p.residual.atTarget).toBeCloseTo(m * Math.log(1 / (1 - target)), 5);
    // Memoryless: the residual life is the lifetime again.
    expect(p.residual.atTarget).toBeCloseTo(p.lifetime.atTarget, 5);
    expect(p.drain.timeout).toBe(Math.ceil(m * Math.log(1000)));
  });

  it('expects N·e^(−t/m) sessions cut and all N ended with probability (1 − e^(−t/m))^N at every timeout', () => {
    expect(p.curves.drain.length).toBeGreaterThan(10);
    for (const point of p.curves.drain) {
      const open = Math.exp(-point.timeout / m);
      expect(point.expectedOpen).toBeCloseTo(N * open, 6);
      const allEnd = (1 - open) ** N;
      expect(point.allEndedExact).toBeCloseTo(allEnd, 9);
      expectWithinSamplingError(point.allEnded, allEnd, p.input.replicas);
      // The cut count is Binomial(N, e^(−t/m)): its Monte Carlo median sits within a few of N·e^(−t/m).
      const sd = Math.sqrt(N * open * (1 - open));
      expect(Math.abs(point.openP50 - N * open)).toBeLessThanOrEqual(4 * sd + 1);
      // Its 99th percentile lies above the mean and within a few standard deviations of it.
      expect(point.openP99).toBeGreaterThanOrEqual(Math.floor(N * open));
      expect(point.openP99).toBeLessThanOrEqual(N * open + 4 * sd + 1);
    }
  });

  it('puts the median completion time where (1 − e^(−t/m))^N = 1/2', () => {
    const exactMedian = -m * Math.log(1 - 0.5 ** (1 / N));
    // The sample median of 1000 replicas has a standard error of about 5 s here.
    expect(Math.abs(p.completionP50 - exactMedian)).toBeLessThan(25);
  });

  it('gives the same plan for the same seed, and other Monte Carlo draws for another', () => {
    expect(plan('exp(mean=2m)', { window: 1800 })).toEqual(p);
    const other = plan('exp(mean=2m)', { window: 1800, seed: 2 });
    expect(other.residual).toEqual(p.residual);
    expect(other.curves.drain.map((c) => c.allEnded.estimate)).not.toEqual(
      p.curves.drain.map((c) => c.allEnded.estimate),
    );
  });
});

describe('planDrain uses the residual life, not the lifetime (inspection paradox)', () => {
  // lognormal(median=1m, sigma=1): the lifetime p99 is 614 s, so a 12-minute window looks ample, but
  // the sessions open at drain start need 1004 s (closed form: E[(L − t)⁺]/E[L] = 0.01, SciPy brentq).
  let p: DrainPlan;
  beforeAll(() => {
    p = plan('lognormal(median=1m, sigma=1)', { window: 720, target: 0.99 });
  });

  it('finds that no timeout fits, although the raw lifetime quantile would', () => {
    expect(p.lifetime.atTarget).toBeCloseTo(614.4284193787278, 6);
    expect(p.lifetime.atTarget).toBeLessThan(720);
    expect(p.residual.atTarget).toBeCloseTo(1004.3879224064029, 4);
    expect(p.fits).toBe(false);
  });

  it('recommends the longest TTL with which the drain reaches the target in the window', () => {
    const ttl = p.ttl!;
    expect(ttl.ttl).toBeGreaterThanOrEqual(720);
    const lifetime = parseDistribution('lognormal(median=1m, sigma=1)');
    const withTtl = ResidualLife.of(lifetime, ttl.ttl);
    expect(withTtl.survival(720)).toBeLessThanOrEqual(0.01);
    // One second longer and it would not be enough.
    expect(ResidualLife.of(lifetime, ttl.ttl + 1).survival(720)).toBeGreaterThan(0.01);
    expect(ttl.reachFraction).toBeCloseTo(1 - lifetime.cdf(ttl.ttl), 12);
    expect(p.drain.timeout).toBeLessThanOrEqual(720);
    expect(p.drain.expectedOpen).toBeLessThanOrEqual(1200 * 0.01 + 1e-9);
    // Without the TTL, the same timeout would leave several times as many sessions.
    const atTimeout = p.curves.drain.find((c) => c.timeout === p.drain.timeout)!;
    expect(atTimeout.expectedOpenWithoutTtl).toBeGreaterThan(2 * atTimeout.expectedOpen);
  });

  it('sizes a drain notice: over the whole window, or the shortest window the pool absorbs', () => {
    expect(p.notice!.retryAfter).toBe(720);
    const capped = plan('lognormal(median=1m, sigma=1)', {
      window: 720,
      target: 0.99,
      reconnectCapacity: 50,
      replicas: 200,
    });
    const notice = capped.notice!;
    expect(notice.peak.p99).toBeLessThanOrEqual(50);
    // N/W must be below the capacity, and the Poisson spread adds a margin on top.
    expect(notice.retryAfter).toBeGreaterThan(1200 / 50);
    expect(notice.fitsWindow).toBe(true);
  });

  it('recommends no more than the window when the lifetimes are the seed WebSocket sessions', () => {
    const seed = plan('lognormal(median=30m, p99=6h)', { replicas: 100 });
    expect(seed.fits).toBe(false);
    expect(seed.residual.atTarget).toBeCloseTo(95992.77766645984, 3);
    expect(seed.ttl!.ttl).toBeGreaterThanOrEqual(600);
    expect(seed.drain.timeout).toBeLessThanOrEqual(600);
  });
});

describe('planDrain inputs', () => {
  it('refuses lifetimes with an infinite mean', () => {
    expect(() => plan('pareto(scale=1m, shape=0.8)')).toThrow(PlanError);
  });

  it('rejects impossible targets, windows and session counts with one message', () => {
    expect(() => plan('exp(mean=2m)', { target: 1, window: 0.5, sessions: 0 })).toThrow(/sessions.*window.*target/);
  });

  it('reads measured durations from a CSV and bootstraps the timeout', () => {
    const dir = mkdtempSync(join(tmpdir(), 'drainsim-plan-'));
    const rng = new RandomStreams(11).stream('durations');
    const durations = Array.from({ length: 4000 }, () => (-120 * Math.log(1 - rng.next())).toFixed(3));
    writeFileSync(
      join(dir, 'sessions.csv'),
      `session_id,duration\n${durations.map((d, i) => `s${i},${d}`).join('\n')}\n`,
    );
    const lifetimes = readLifetimes('sessions.csv', dir);
    expect(lifetimes.samples?.length).toBe(4000);
    expect(readLifetimes(`empirical(sessions.csv)`, dir).samples?.length).toBe(4000);
    const p = planDrain({
      lifetimes,
      sessions: 100,
      window: 3600,
      target: 0.99,
      reconnectCapacity: null,
      seed: 1,
      replicas: 100,
      resamples: 100,
    });
    const truth = 120 * Math.log(100);
    expect(p.input.measuredSessions).toBe(4000);
    expect(p.residualInterval!.low).toBeLessThan(p.residualInterval!.high);
    expect(p.residualInterval!.low).toBeLessThanOrEqual(truth);
    expect(p.residualInterval!.high).toBeGreaterThanOrEqual(truth);
    expect(Math.abs(p.residual.atTarget - truth) / truth).toBeLessThan(0.15);
  });

  it('gives a tail-model interval that reaches past the measured sessions, and warns when few outlive their time', () => {
    // 1,000 exponential(120 s) sessions, target 99.9 %: the true time is 120·ln(1000) = 829 s and
    // about one measured session outlives it. Read off the measured sessions the time runs short
    // (here below 829 s, and so did all of session 29's bootstrap interval); the GPD tail's
    // interval holds it (see interval-coverage.test.ts for how often).
    const dir = mkdtempSync(join(tmpdir(), 'drainsim-plan-'));
    const rng = new RandomStreams(1007).stream('data');
    const durations = Array.from({ length: 1000 }, () => (-120 * Math.log(1 - rng.next())).toFixed(3));
    writeFileSync(join(dir, 'sessions.csv'), `duration\n${durations.join('\n')}\n`);
    const input = { sessions: 100, window: 3600, reconnectCapacity: null, seed: 1, replicas: 20, resamples: 50 };
    const sparse = planDrain({ ...input, lifetimes: readLifetimes('sessions.csv', dir), target: 0.999 });
    const truth = 120 * Math.log(1000);
    const b = sparse.residualInterval!;
    expect(sparse.residual.atTarget).toBeLessThan(truth);
    expect(b.outliving).toBeLessThan(10);
    expect(b.method).toMatch(/generalized Pareto/);
    expect(b.low).toBeLessThanOrEqual(truth);
    expect(b.high).toBeGreaterThanOrEqual(truth);
    expect(b.tailSessions).toBe(200);
    expect(b.estimate).toBeGreaterThan(sparse.residual.atTarget);
    const text = renderPlanText(sparse);
    expect(text).toMatch(
      /95% interval .* – .*, tail model .*\n {2}\(bootstrap of a generalized Pareto tail, shape .*, fitted to the 200 longest of 1000 measured sessions, 50 resamples\)/,
    );
    expect(text).toMatch(
      /Warning: only \d of the 1000 measured sessions outlive .*: read off them alone, the time runs\n {2}short/,
    );
    // At 90 % about 100 outlive it: no warning.
    const dense = planDrain({ ...input, lifetimes: readLifetimes('sessions.csv', dir), target: 0.9 });
    expect(dense.residualInterval!.outliving).toBeGreaterThan(50);
    expect(renderPlanText(dense)).not.toContain('Warning: only');
  });

  it('gives no interval from fewer than 11 measured sessions, and says so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'drainsim-plan-'));
    writeFileSync(
      join(dir, 'sessions.csv'),
      `duration\n${[30, 45, 60, 90, 120, 150, 200, 300, 400, 600].join('\n')}\n`,
    );
    const p = planDrain({
      lifetimes: readLifetimes('sessions.csv', dir),
      sessions: 100,
      window: 3600,
      target: 0.99,
      reconnectCapacity: null,
      seed: 1,
      replicas: 20,
      resamples: 50,
    });
    expect(p.residualInterval).toBeNull();
    expect(renderPlanText(p)).toContain('by the 10 measured sessions; an interval takes at least 11.');
  });

  it('warns from 9 outliving sessions down, not at 10 (SPARSE_TAIL: fewer than 10)', () => {
    // The same 1,000 exponential(120 s) sessions; the target moves the estimate across the 10th
    // longest session: 99.55 % leaves 10 outliving it (no warning), 99.6 % leaves 9 (warning).
    const dir = mkdtempSync(join(tmpdir(), 'drainsim-plan-'));
    const rng = new RandomStreams(1007).stream('data');
    const durations = Array.from({ length: 1000 }, () => (-120 * Math.log(1 - rng.next())).toFixed(3));
    writeFileSync(join(dir, 'sessions.csv'), `duration\n${durations.join('\n')}\n`);
    const input = { sessions: 100, window: 3600, reconnectCapacity: null, seed: 1, replicas: 20, resamples: 50 };
    const at = (target: number) => planDrain({ ...input, lifetimes: readLifetimes('sessions.csv', dir), target });
    const ten = at(0.9955);
    expect(ten.residualInterval!.outliving).toBe(10);
    expect(renderPlanText(ten)).not.toContain('Warning: only');
    const nine = at(0.996);
    expect(nine.residualInterval!.outliving).toBe(9);
    expect(renderPlanText(nine)).toContain('Warning: only 9 of the 1000 measured sessions outlive');
  });

  it('keeps parametric lifetimes free of a bootstrap', () => {
    expect(readLifetimes('exp(mean=2m)').samples).toBeNull();
    expect(plan('exp(mean=2m)', { resamples: 100, replicas: 50, sessions: 10 }).residualInterval).toBeNull();
  });
});
