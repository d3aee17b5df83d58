/**
 * `drainsim plan drain --vms N …`: the planner question of a rolling deploy. How long does the
 * rollout take, how many sessions are cut (1006), how many are moved gracefully (1001), how many
 * more than once, how high is the reconnect peak, and which session TTL and drain timeout meet the
 * deadline with at most `target` of the sessions cut? Closed forms rank every candidate setting
 * (fleet-closed-form.ts); the Monte Carlo (fleet-replica.ts) gives the chosen one its spread.
 */
import { RandomStreams } from '../../engine/random.js';
import { type SampleStats, sampleStats } from '../../sweep/sample-stats.js';
import { PlanError } from '../errors.js';
import type { Lifetimes } from '../lifetime-input.js';
import { ResidualLife } from '../residual-life.js';
import { expectFleet, type FleetExpectation } from './fleet-closed-form.js';
import { type FleetOutcome, type FleetSetting, simulateFleetRollout } from './fleet-replica.js';

export interface FleetPlanInput {
  lifetimes: Lifetimes;
  sessions: number;
  vms: number;
  parallel: number;
  /** The rollout must finish within this, seconds. */
  deadline: number;
  /** Session TTL (Infinity: none); null: search. */
  ttl: number | null;
  /** Drain timeout per step; null: the longest the deadline allows (or a ladder, with --ttl). */
  timeout: number | null;
  restart: number;
  pause: number;
  notice: boolean;
  reconnectWindow: number;
  /** Largest share of the sessions that may be cut, e.g. 0.001. */
  target: number;
  seed: number;
  replicas: number;
}

export interface FleetRow {
  setting: FleetSetting;
  expected: FleetExpectation;
  meetsDeadline: boolean;
  meetsTarget: boolean;
}

export type FleetFigure = keyof FleetOutcome;

export interface FleetPlan {
  input: Omit<FleetPlanInput, 'lifetimes'> & { lifetimes: string };
  /** Longest drain timeout per step that keeps the rollout within the deadline. */
  timeoutBudget: number;
  rows: FleetRow[];
  /** The row that meets both, with the fewest graceful moves; null when none does. */
  best: FleetRow | null;
  /** The row the Monte Carlo ran: the asked setting, else best, else the fewest cuts. */
  chosen: FleetRow;
  simulated: Record<FleetFigure, SampleStats>;
}

const TTL_LADDER = [300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200, 10_800, 14_400, 21_600, 28_800, 43_200, 86_400];
const TIMEOUT_LADDER = [30, 60, 120, 180, 240, 300, 420, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200];

export function planFleetDrain(input: FleetPlanInput): FleetPlan {
  checkInput(input);
  const lifetime = input.lifetimes.distribution;
  const residual = ResidualLife.of(lifetime);
  const batches = Math.ceil(input.vms / input.parallel);
  const timeoutBudget = Math.floor((input.deadline - (batches - 1) * input.pause) / batches - input.restart);
  if (input.timeout === null && timeoutBudget < 1) {
    throw new PlanError(
      `${batches} batches of ${input.parallel} VM(s), each with ${input.restart}s of restart, do not fit the ${input.deadline}s deadline even without drain: raise --parallel or the deadline`,
    );
  }
  // A TTL no longer than the drain timeout cuts nothing: the longest such TTL is always a candidate.
  const longestSafeTtl = input.timeout ?? timeoutBudget;
  const ttls =
    input.ttl !== null
      ? [input.ttl]
      : [Infinity, ...[...new Set([longestSafeTtl, ...TTL_LADDER])].sort((a, b) => a - b)];
  const timeouts =
    input.timeout !== null
      ? [input.timeout]
      : input.ttl !== null
        ? [...TIMEOUT_LADDER.filter((t) => t < timeoutBudget), timeoutBudget]
        : [timeoutBudget];
  const rows: FleetRow[] = [];
  for (const ttl of ttls) {
    for (const timeout of timeouts) {
      const setting = settingOf(input, ttl, timeout);
      const expected = expectFleet(residual, setting);
      rows.push({
        setting,
        expected,
        // A millisecond of slack: a step of exactly the budget is on time, whatever the rounding.
        meetsDeadline: expected.rolloutTime <= input.deadline + 1e-3,
        meetsTarget: expected.cut <= input.target * input.sessions,
      });
    }
  }
  const meeting = rows.filter((r) => r.meetsDeadline && r.meetsTarget);
  const best =
    meeting.length === 0
      ? null
      : meeting.reduce((a, b) =>
          b.expected.moved < a.expected.moved ||
          (b.expected.moved === a.expected.moved && b.expected.rolloutTime < a.expected.rolloutTime)
            ? b
            : a,
        );
  const asked = input.ttl !== null && input.timeout !== null ? rows[0]! : null;
  const withinDeadline = rows.filter((r) => r.meetsDeadline);
  const chosen =
    asked ??
    best ??
    (withinDeadline.length > 0 ? withinDeadline : rows).reduce((a, b) => (b.expected.cut < a.expected.cut ? b : a));

  const rng = new RandomStreams(input.seed).stream('plan.fleet');
  const outcomes: FleetOutcome[] = [];
  for (let r = 0; r < input.replicas; r++) outcomes.push(simulateFleetRollout(lifetime, residual, chosen.setting, rng));
  const figures: FleetFigure[] = ['cut', 'moved', 'movedTwice', 'disrupted', 'reconnectPeak', 'rolloutTime'];
  const simulated = Object.fromEntries(figures.map((f) => [f, sampleStats(outcomes.map((o) => o[f]))!])) as Record<
    FleetFigure,
    SampleStats
  >;
  return {
    input: { ...input, lifetimes: lifetime.spec },
    timeoutBudget,
    rows,
    best,
    chosen,
    simulated,
  };
}

function settingOf(input: FleetPlanInput, ttl: number, timeout: number): FleetSetting {
  return {
    sessions: input.sessions,
    vms: input.vms,
    parallel: input.parallel,
    ttl,
    timeout,
    restart: input.restart,
    pause: input.pause,
    notice: input.notice,
    reconnectWindow: input.reconnectWindow,
  };
}

function checkInput(input: FleetPlanInput): void {
  const problems: string[] = [];
  const whole = (name: string, v: number, min: number) => {
    if (!(Number.isInteger(v) && v >= min)) problems.push(`${name} must be a whole number ≥ ${min}, got ${v}`);
  };
  whole('sessions', input.sessions, 1);
  whole('vms', input.vms, 1);
  whole('parallel', input.parallel, 1);
  whole('replicas', input.replicas, 2);
  if (input.parallel > input.vms) problems.push(`parallel (${input.parallel}) cannot exceed vms (${input.vms})`);
  if (!(input.deadline > 0)) problems.push(`the deadline must be above 0s, got ${input.deadline}s`);
  if (input.ttl !== null && !(input.ttl > 0)) problems.push(`the TTL must be above 0s, got ${input.ttl}s`);
  if (input.timeout !== null && !(input.timeout > 0 && Number.isFinite(input.timeout)))
    problems.push(`the drain timeout must be a finite time above 0s, got ${input.timeout}s`);
  if (!(input.restart >= 0) || !(input.pause >= 0)) problems.push('restart and pause must be ≥ 0s');
  if (!(input.reconnectWindow > 0))
    problems.push(`the reconnect window must be above 0s, got ${input.reconnectWindow}s`);
  if (!(input.target >= 0 && input.target < 1))
    problems.push(`the target must be from 0% to below 100%, got ${input.target * 100}%`);
  if (problems.length > 0) throw new PlanError(problems.join('; '));
}
