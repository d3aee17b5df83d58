/**
 * `drainsim plan drain`: a drain timeout (or, when the window cannot hold one, a session TTL and
 * a drain-notice jitter window) from a session-lifetime distribution or measured durations.
 */
import type { Argv, CommandModule } from 'yargs';
import { writeFilesAtomic } from '../../reports/write-atomic.js';
import { PlanError } from '../plan/errors.js';
import { planFleetDrain } from '../plan/fleet/fleet-plan.js';
import { renderFleetPlanText } from '../plan/fleet/fleet-text.js';
import { renderSimCheckText } from '../plan/fleet/sim-check.js';
import { readLifetimes } from '../plan/lifetime-input.js';
import { planDrain } from '../plan/plan-drain.js';
import { planJson, planOutputFiles } from '../plan/plan-files.js';
import { renderPlanText } from '../plan/plan-text.js';
import { DistributionError } from '../scenario/distribution.js';
import { parseDuration, parsePercent, UnitError } from '../scenario/units.js';
import { type CliIO, EXIT, exitCodeHandler, withScenarioErrors } from './context.js';
import { seedOptionFor, wholeNumberOption } from './number-options.js';
import { checkPlanWithSim, DEFAULT_FLEET_SCENARIO } from './plan-check-sim.js';

export interface PlanDrainArgs {
  lifetimes: string;
  sessions: number;
  window: string;
  target: string;
  'reconnect-capacity'?: number;
  seed: number;
  replicas?: number;
  resamples: number;
  format: 'terminal' | 'json';
  out?: string;
  vms?: number;
  parallel: number;
  deadline: string;
  ttl?: string;
  timeout?: string;
  restart: string;
  pause: string;
  notice: boolean;
  'reconnect-window': string;
  'check-with-sim': boolean;
  seeds: number;
  scenario: string;
}

/**
 * Sessions open at drain start, at most: the Monte Carlo draws replicas × sessions lifetimes, and
 * with 10^6 sessions the closed forms already say everything the simulation would.
 */
const MAX_PLAN_SESSIONS = 1_000_000;
/** Lifetimes drawn per estimate at most (replicas × sessions): ~1 s of work each. */
const MAX_PLAN_DRAWS = 200_000_000;

/** Simulated sessions per estimate the default replica count stays within. */
const DEFAULT_SESSION_BUDGET = 2_000_000;

/**
 * Seeds of the implied scenario --check-with-sim runs by default: a 54-minute rollout of 30,000
 * sessions is ~4 s of simulation, so four stay well within a minute on a loaded machine.
 */
const DEFAULT_CHECK_SEEDS = 4;

/** Fleet rollouts simulated per plan by default: each is a whole fleet's sessions for the whole rollout. */
const DEFAULT_FLEET_REPLICAS = 40;

export function planDrainCommandLine(args: PlanDrainArgs, io: CliIO): Promise<number> {
  if (args.vms !== undefined) return planFleetCommandLine(args, args.vms, io);
  const replicas =
    args.replicas ?? Math.max(100, Math.min(1000, Math.round(DEFAULT_SESSION_BUDGET / Math.max(1, args.sessions))));
  if (replicas * args.sessions > MAX_PLAN_DRAWS) {
    io.stderr.write(
      `drainsim plan drain: --replicas ${replicas} × --sessions ${args.sessions} is ${(replicas * args.sessions).toExponential(1)} lifetimes per estimate; the limit is ${MAX_PLAN_DRAWS.toExponential(0)}: give fewer replicas\n`,
    );
    return Promise.resolve(EXIT.badInput);
  }
  return withPlanErrors(io, () => {
    const plan = planDrain({
      lifetimes: readLifetimes(args.lifetimes),
      sessions: args.sessions,
      window: parseDuration(args.window),
      target: parsePercent(args.target),
      reconnectCapacity: args['reconnect-capacity'] ?? null,
      seed: args.seed,
      replicas,
      resamples: args.resamples,
    });
    const written = args.out === undefined ? [] : writeFilesAtomic(args.out, planOutputFiles(plan));
    io.stdout.write(args.format === 'json' ? planJson(plan) : renderPlanText(plan));
    for (const path of written) io.stderr.write(`wrote ${path}\n`);
    return EXIT.ok;
  });
}

/** `--vms N`: the rolling drain of a fleet (sim/plan/fleet). */
function planFleetCommandLine(args: PlanDrainArgs, vms: number, io: CliIO): Promise<number> {
  return withPlanErrors(io, async () => {
    const optionalDuration = (text: string | undefined) =>
      text === undefined ? null : /^(none|infinite|off)$/i.test(text.trim()) ? Infinity : parseDuration(text);
    const lifetimes = readLifetimes(args.lifetimes);
    const plan = planFleetDrain({
      lifetimes,
      sessions: args.sessions,
      vms,
      parallel: args.parallel,
      deadline: parseDuration(args.deadline),
      ttl: optionalDuration(args.ttl),
      timeout: optionalDuration(args.timeout),
      restart: parseDuration(args.restart),
      pause: parseDuration(args.pause),
      notice: args.notice,
      reconnectWindow: parseDuration(args['reconnect-window']),
      target: 1 - parsePercent(args.target),
      seed: args.seed,
      replicas: args.replicas ?? DEFAULT_FLEET_REPLICAS,
    });
    if (!args['check-with-sim']) {
      io.stdout.write(args.format === 'json' ? `${JSON.stringify(plan, jsonNumbers, 2)}\n` : renderFleetPlanText(plan));
      return EXIT.ok;
    }
    const seeds = Array.from({ length: args.seeds }, (_, i) => args.seed + i);
    return withScenarioErrors(io, () => {
      const check = checkPlanWithSim(plan, lifetimes.distribution, args.scenario, seeds, io);
      io.stdout.write(
        args.format === 'json'
          ? `${JSON.stringify({ ...plan, checkWithSim: check }, jsonNumbers, 2)}\n`
          : `${renderFleetPlanText(plan)}${renderSimCheckText(check)}`,
      );
      return EXIT.ok;
    });
  });
}

/** Runs a plan; what the user gave wrong (a plan, distribution or unit error) is one line and exit code 2. */
async function withPlanErrors(io: CliIO, plan: () => number | Promise<number>): Promise<number> {
  try {
    return await plan();
  } catch (err) {
    if (err instanceof PlanError || err instanceof DistributionError || err instanceof UnitError) {
      io.stderr.write(`drainsim plan drain: ${err.message}\n`);
      return EXIT.badInput;
    }
    throw err;
  }
}

/** JSON has no Infinity: a TTL of "none" is written as null. */
function jsonNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

/** A string option of the fleet plan: it only means something with --vms, and its help says so. */
function fleetText(describe: string, value: string) {
  return { type: 'string' as const, describe: `With --vms: ${describe}`, default: value };
}

/** The options of `plan drain --vms`: the rolling drain of a fleet (sim/plan/fleet). */
const FLEET_OPTIONS = {
  vms: wholeNumberOption(
    'vms',
    1,
    10_000,
    'Plan a rolling drain of a fleet of this many VMs (--sessions then counts the whole fleet)',
    true,
  ),
  parallel: { ...wholeNumberOption('parallel', 1, 10_000, 'With --vms: VMs drained at a time', true), default: 1 },
  deadline: fleetText('the whole rollout must finish within this', '1h'),
  ttl: {
    type: 'string' as const,
    describe: 'With --vms: session TTL to assess (none: no TTL); without it, TTLs are searched',
  },
  timeout: {
    type: 'string' as const,
    describe: 'With --vms: drain timeout per step to assess; without it, the longest the deadline allows',
  },
  restart: fleetText('from a drained VM to it serving again', '30s'),
  pause: fleetText('between one batch back and the next drain', '0s'),
  notice: {
    type: 'boolean' as const,
    default: false,
    describe: 'With --vms: at the timeout the app sends a drain notice (1001) instead of being killed (1006)',
  },
  'reconnect-window': fleetText('clients reconnect uniformly within this after a close', '10s'),
  'check-with-sim': {
    type: 'boolean' as const,
    default: false,
    describe:
      'With --vms: also run the fleet scenario the answer implies over --seeds seeds and set its figures beside the plan',
  },
  seeds: {
    ...wholeNumberOption('seeds', 2, 100, 'With --check-with-sim: seeds to simulate (--seed, --seed+1, …)', true),
    default: DEFAULT_CHECK_SEEDS,
  },
  scenario: fleetText(
    'the fleet scenario (a rolling_deploy) --check-with-sim writes the plan into',
    DEFAULT_FLEET_SCENARIO,
  ),
};

const planDrainCommand: CommandModule<object, PlanDrainArgs> = {
  command: 'drain',
  describe: 'Recommend a drain timeout (or a session TTL and drain-notice jitter) from session lifetimes',
  builder: (y) =>
    y
      .option('lifetimes', {
        type: 'string',
        demandOption: true,
        describe:
          'Session lifetimes: a distribution such as lognormal(median=30m, p99=6h), empirical(file.csv), or a .csv of measured durations',
      })
      .option('sessions', {
        ...wholeNumberOption(
          'sessions',
          1,
          MAX_PLAN_SESSIONS,
          `Sessions open on the backend when the drain starts (seed Part 4: 1200; at most ${MAX_PLAN_SESSIONS.toLocaleString('en-US')})`,
          true,
        ),
        default: 1200,
      })
      .option('window', { type: 'string', default: '10m', describe: 'Longest drain the deploy can afford' })
      .option('target', {
        type: 'string',
        default: '99.9%',
        describe: 'Share of the sessions that must end on their own before the timeout',
      })
      .option('reconnect-capacity', {
        type: 'number',
        describe: 'Reconnections per second the rest of the pool absorbs (sizes the jitter window)',
      })
      .option('seed', { ...seedOptionFor('Seed of the Monte Carlo replicas and the bootstrap'), default: 1 })
      .option(
        'replicas',
        wholeNumberOption(
          'replicas',
          1,
          100_000,
          'Monte Carlo replicas per estimate (default 1000, fewer above 2000 sessions)',
          true,
        ),
      )
      .option('resamples', {
        ...wholeNumberOption('resamples', 0, 10_000, 'Bootstrap resamples for measured durations (0: none)', true),
        default: 200,
      })
      .option('format', {
        type: 'string',
        choices: ['terminal', 'json'] as const,
        default: 'terminal' as const,
        describe: 'Print the plan as text or as JSON',
      })
      .option('out', {
        type: 'string',
        describe: 'Also write plan.json, drain-curve.csv and reconnect-curve.csv into this directory',
      })
      .options(FLEET_OPTIONS)
      .example(
        '$0 plan drain --lifetimes "lognormal(median=40m, p99=8h)" --sessions 30000 --vms 12 --deadline 1h --ttl 2h --timeout 4m',
        'a rolling deploy of 12 VMs: cut, moved, rollout time',
      )
      .example(
        '$0 plan drain --lifetimes "lognormal(median=40m, p99=8h)" --sessions 30000 --vms 12 --ttl 2h --timeout 4m --notice --check-with-sim',
        'the same, confirmed by simulating fleet-rolling-ws with that setting over 4 seeds',
      )
      .example('$0 plan drain --lifetimes "exp(mean=2m)"', 'HTTP keepalive-like sessions: a timeout fits')
      .example(
        '$0 plan drain --lifetimes "lognormal(median=30m, p99=6h)" --window 10m',
        'WebSockets: no timeout fits; TTL and drain notice',
      )
      .example(
        '$0 plan drain --lifetimes sessions.csv --sessions 1200 --target 99%',
        'from durations exported from logs (seconds or 95s, 1.5m)',
      )
      .example(
        '$0 plan drain --lifetimes "lognormal(median=30m, p99=6h)" --reconnect-capacity 50',
        'shortest jitter window the pool absorbs',
      ),
  handler: exitCodeHandler((args, io) => planDrainCommandLine(args, io)),
};

export const planCommand: CommandModule<object, object> = {
  command: 'plan',
  describe: 'Capacity planning from closed forms and Monte Carlo (plan drain)',
  builder: (y: Argv) =>
    y
      .command(planDrainCommand)
      .demandCommand(1, 'which plan? e.g. drainsim plan drain --lifetimes "exp(mean=2m)"')
      .example(
        '$0 plan drain --lifetimes "lognormal(median=30m, p99=6h)"',
        'drain timeout, or session TTL and drain notice, for WebSockets',
      )
      .example('$0 plan drain --help', 'every option of the drain plan'),
  handler: () => {},
};
