/**
 * `plan drain --vms … --check-with-sim`: the fleet scenario a plan's answer implies, and how its
 * simulated figures compare with the plan's closed form and Monte Carlo.
 *
 * The implied scenario is a fleet scenario's shape (the built-in fleet-rolling-ws, or the user's)
 * with every quantity the plan assumed written into it: the sessions in steady state, their
 * lifetime and Little's-law arrival rate, the session TTL, one `rolling_deploy` whose gate waits
 * for the last connection (threshold 1) up to the drain timeout, then kills the app (1006) or,
 * with a drain notice, lets it close what is left with 1001 on SIGTERM; clients reconnect
 * uniformly within the reconnect window (full jitter with base = cap). HTTP traffic is switched
 * off: the plan counts sessions only, and keep-alive connections would hold the drain gate.
 */
import { formatDuration } from '../../scenario/units.js';
import { type SampleStats, sampleStats } from '../../sweep/sample-stats.js';
import { formatNumber } from '../../util/format-number.js';
import type { FleetPlan } from './fleet-plan.js';

/** What the implied scenario needs to know of the scenario it starts from. */
export interface FleetScenarioShape {
  /** Backend names in order. */
  backends: string[];
  /** Index of the `rolling_deploy` action in `timeline`. */
  deployIndex: number;
  /** Simulated time of that action, seconds. */
  deployAt: number;
  /** Whether that action lists its backends (then the list is rewritten with the fleet's). */
  deployListsBackends: boolean;
}

/** Simulated time after the last step's longest end: reconnections after the last close land in it. */
const HORIZON_MARGIN_S = 60;
/** The gate polls this often, so a step ends within a second of its last connection. */
const GATE_POLL_S = 1;

/** `--set` overrides that turn the shape into the scenario the plan's chosen setting implies. */
export function impliedSets(plan: FleetPlan, meanLifetime: number, shape: FleetScenarioShape): string[] {
  const s = plan.chosen.setting;
  const d = `timeline[${shape.deployIndex}]`;
  const seconds = (v: number) => `${Number(v.toPrecision(9))}s`;
  const sets = [
    `clients.ws.initial_sessions=${s.sessions}`,
    'clients.ws.start=steady',
    `clients.ws.lifetime=${JSON.stringify(plan.input.lifetimes)}`,
    // Little's law: N sessions open, each for E[L] on average, arrive at N / E[L] per second.
    `clients.ws.arrival_rate=${Number((s.sessions / meanLifetime).toPrecision(9))}`,
    `clients.ws.reconnect={policy: full_jitter, base: ${seconds(s.reconnectWindow)}, cap: ${seconds(s.reconnectWindow)}, honor_retry_after: false}`,
    'clients.http.arrival_rate=0',
    `app.ws.session_ttl=${Number.isFinite(s.ttl) ? seconds(s.ttl) : '0'}`,
    'app.ws.drain_notice=false',
    'app.ws.close_after=infinite',
    `app.ws.close_on_shutdown=${s.notice}`,
    // The plan's notice closes what is left at the timeout at once; a spread beyond the VM's nginx
    // stop (nginx.stop_timeout, 5 s: Debian's nginx.service) would be cut with 1006 instead.
    'app.ws.close_spread=0s',
    `app.graceful_shutdown=${s.notice}`,
    `${d}.parallel=${s.parallel}`,
    `${d}.restart_time=${seconds(s.restart)}`,
    `${d}.pause_between=${seconds(s.pause)}`,
    `${d}.gate={threshold: 1, max_wait: ${seconds(s.timeout)}, poll: ${GATE_POLL_S}s, on_timeout: force}`,
    `${d}.terminate=${s.notice ? 'graceful' : 'kill'}`,
  ];
  const names = fleetNames(s.vms, shape.backends);
  if (names !== shape.backends) sets.push(`backends=[${names.map((n) => `{name: ${n}}`).join(', ')}]`);
  if (shape.deployListsBackends) sets.push(`${d}.backends=[${names.join(', ')}]`);
  const batches = Math.ceil(s.vms / s.parallel);
  const longestRollout = batches * (s.timeout + GATE_POLL_S + s.restart) + (batches - 1) * s.pause;
  sets.push(`horizon=${seconds(shape.deployAt + longestRollout + s.reconnectWindow + HORIZON_MARGIN_S)}`);
  return sets;
}

/** The scenario's own backends when there are `vms` of them, else vm-01 … vm-NN. */
function fleetNames(vms: number, backends: string[]): string[] {
  if (backends.length === vms) return backends;
  const width = Math.max(2, String(vms).length);
  return Array.from({ length: vms }, (_, i) => `vm-${String(i + 1).padStart(width, '0')}`);
}

/** One simulated rollout's figures, as the plan names them; null: the run did not measure it. */
export interface SimulatedRollout {
  cut: number;
  moved: number;
  movedTwice: number | null;
  reconnectPeak: number;
  /** null when the rollout did not complete within the horizon. */
  rolloutTime: number | null;
}

export type CheckedFigure = 'cut' | 'moved' | 'movedTwice' | 'reconnectPeak' | 'rolloutTime';

export interface CheckRow {
  figure: CheckedFigure;
  label: string;
  /** Over the seeds; null when no seed measured it. */
  simulated: SampleStats | null;
  /** The plan's closed form, where it has one. */
  closedForm: number | null;
  monteCarlo: SampleStats;
  /** The closed form lies outside the simulation's 95 % CI. */
  closedFormDisagrees: boolean;
  /** The Monte Carlo's 95 % CI and the simulation's do not overlap. */
  monteCarloDisagrees: boolean;
}

export interface SimCheck {
  scenario: string;
  seeds: number[];
  sets: string[];
  rows: CheckRow[];
}

const LABELS: Record<CheckedFigure, string> = {
  cut: 'cut (1006)',
  moved: 'moved (1001)',
  movedTwice: 'moved more than once',
  reconnectPeak: 'reconnect peak /s',
  rolloutTime: 'rollout time',
};

export function compareWithSim(
  plan: FleetPlan,
  scenario: string,
  seeds: number[],
  sets: string[],
  runs: SimulatedRollout[],
): SimCheck {
  const expected = plan.chosen.expected;
  const closedForms: Record<CheckedFigure, number | null> = {
    cut: expected.cut,
    moved: expected.moved,
    movedTwice: null,
    reconnectPeak: null,
    rolloutTime: expected.rolloutTime,
  };
  const rows = (Object.keys(LABELS) as CheckedFigure[]).map((figure): CheckRow => {
    const values = runs.map((r) => r[figure]).filter((v): v is number => v !== null);
    const simulated = sampleStats(values);
    const monteCarlo = plan.simulated[figure];
    const closedForm = closedForms[figure];
    return {
      figure,
      label: LABELS[figure],
      simulated,
      closedForm,
      monteCarlo,
      closedFormDisagrees: simulated !== null && closedForm !== null && !within(closedForm, simulated),
      monteCarloDisagrees: simulated !== null && !overlaps(monteCarlo, simulated),
    };
  });
  return { scenario, seeds, sets, rows };
}

/**
 * Inside the 95 % CI, widened by half a unit of the figure's own rounding (a count of 0 over every
 * seed has a CI of zero width, and a closed form of 0.3 cuts agrees with it).
 */
function within(v: number, s: SampleStats): boolean {
  const [lo, hi] = interval(s);
  return v >= lo - 0.5 && v <= hi + 0.5;
}

function overlaps(a: SampleStats, b: SampleStats): boolean {
  const [aLo, aHi] = interval(a);
  const [bLo, bHi] = interval(b);
  return aLo <= bHi + 0.5 && bLo <= aHi + 0.5;
}

function interval(s: SampleStats): [number, number] {
  return [s.ci95Low ?? s.mean, s.ci95High ?? s.mean];
}

export function renderSimCheckText(check: SimCheck): string {
  const out = [
    '',
    `Check with the simulator: ${check.scenario} over seeds ${seedList(check.seeds)} (mean [95% CI]):`,
    `  the scenario the answer implies: drainsim run ${check.scenario} --seed ${check.seeds[0]} ${check.sets.map((s) => `--set '${s}'`).join(' ')}`,
  ];
  const header = ['figure', 'simulated', 'closed form', 'Monte Carlo', ''];
  const rows = check.rows.map((r) => {
    const f = r.figure === 'rolloutTime' ? dur : num;
    const flags = [
      r.closedFormDisagrees ? 'closed form outside the simulated CI' : '',
      r.monteCarloDisagrees ? 'Monte Carlo CI apart from the simulated CI' : '',
    ].filter((x) => x !== '');
    return [
      r.label,
      r.simulated === null
        ? r.figure === 'movedTwice'
          ? 'not counted'
          : 'no value'
        : `${f(r.simulated.mean)} [${f(r.simulated.ci95Low ?? r.simulated.mean)} – ${f(r.simulated.ci95High ?? r.simulated.mean)}]`,
      r.closedForm === null ? '—' : f(r.closedForm),
      `${f(r.monteCarlo.mean)} [${f(r.monteCarlo.ci95Low ?? r.monteCarlo.mean)} – ${f(r.monteCarlo.ci95High ?? r.monteCarlo.mean)}]`,
      r.simulated === null ? '' : flags.length === 0 ? 'agrees' : `DISAGREES: ${flags.join('; ')}`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `  ${cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`.trimEnd();
  out.push(line(header), ...rows.map(line));
  const disagreements = check.rows.filter((r) => r.closedFormDisagrees || r.monteCarloDisagrees).length;
  if (check.rows.some((r) => r.figure === 'movedTwice' && r.simulated === null))
    out.push(
      '  moved more than once: the simulator counts closes (ws_close_1001/1006), not the sessions closed twice; the Monte Carlo estimates it.',
    );
  out.push(
    disagreements === 0
      ? '  The simulation agrees with the plan within its 95% CIs.'
      : `  ${disagreements} figure(s) disagree beyond the 95% CIs. The closed form leaves out sessions moved onto VMs still to be drained; the Monte Carlo places new and reconnecting sessions on a random serving VM, where the scenario's balancer (lb.balance) chooses; more --seeds narrow the simulated CI.`,
  );
  return `${out.join('\n')}\n`;
}

function seedList(seeds: number[]): string {
  return seeds.length > 2 ? `${seeds[0]}–${seeds[seeds.length - 1]}` : seeds.join(', ');
}

function dur(seconds: number): string {
  return formatDuration(seconds >= 60 ? Math.round(seconds) : Number(seconds.toPrecision(3)));
}

function num(v: number): string {
  return formatNumber(Number(v.toPrecision(3)));
}
