/**
 * A drain plan as the terminal shows it: the recommendation first, each number with its
 * confidence and the scenario key it goes into, then the two curves behind it.
 */
import { formatNumber } from '../../reports/terminal/format.js';
import { formatDuration } from '../scenario/units.js';
import { MIN_INTERVAL_SESSIONS } from './bootstrap.js';
import type { DrainPlan, Percentiles, TimeoutAssessment } from './plan-drain.js';

const VALUE_WIDTH = 11;
/**
 * Measured sessions outliving the estimated time below which the plan warns that that time, read
 * off the measured sessions alone, runs short. It solves Σ(xᵢ − t)⁺ = (1 − target)·Σxᵢ, so only
 * the sessions longer than t carry it, and the measured distribution has nothing past the longest
 * one. A bootstrap of it held the true time in its "95 %" interval on exponential lifetimes
 * (session 29, 60–300 samples each): ~40 outliving (n = 4,000, 99 %) 93 %; ~10 (n = 10,000,
 * 99.9 %) 90 %; ~4 (n = 400, 99 %) 79 %; ~1 (n = 1,000, 99.9 %) 49 %, every miss below. The
 * interval the plan gives now extrapolates with a fitted tail (tail-model.ts) and does not rest on
 * them alone.
 */
const SPARSE_TAIL = 10;
/** Continuation lines start under the scenario key of the line above. */
const MORE = ' '.repeat(18 + VALUE_WIDTH);

export function renderPlanText(plan: DrainPlan): string {
  const { input } = plan;
  const N = input.sessions;
  const pct = percent(input.target);
  const out: string[] = [];
  const source =
    input.measuredSessions === null
      ? input.lifetimes
      : `${input.measuredSessions} measured sessions (${input.lifetimes})`;
  out.push(
    `drain plan: ${formatNumber(N)} sessions, lifetimes ${source}, window ${dur(input.window)}, target ${pct}`,
    '',
  );

  // The target's own column, unless it is the p50 or p99 already shown.
  const extra = input.target === 0.5 || input.target === 0.99 ? [] : [`p${trimPercent(input.target)}`];
  const quantiles = (q: Percentiles) => [dur(q.p50), dur(q.p99), ...(extra.length > 0 ? [dur(q.atTarget)] : [])];
  out.push(
    ...table(
      ['', 'p50', 'p99', ...extra, 'mean'],
      [
        ['session lifetime', ...quantiles(plan.lifetime), dur(plan.lifetime.mean)],
        ['left at drain start', ...quantiles(plan.residual), ''],
      ],
    ),
  );
  const q = `p${trimPercent(input.target)}`;
  const ratio = plan.residual.atTarget / plan.lifetime.atTarget;
  out.push(
    '  A drain waits for the remaining life of the sessions open when it starts. Long sessions are more likely',
    "  to be open (inspection paradox), so the remaining life has density (1 − F(x)) / E[L], not the lifetime's.",
    ratio > 1.01
      ? `  Here its ${q} is ${num(ratio)}× the lifetime's ${q}.`
      : `  Here its ${q} is no longer than the lifetime's${ratio > 0.99 ? ' (memoryless lifetimes: the remaining life is the lifetime again)' : ''}.`,
  );
  if (plan.residualInterval !== null) {
    const b = plan.residualInterval;
    out.push(
      `  ${pct} of them end within ${dur(plan.residual.atTarget)} by the measured sessions; 95% interval ${dur(b.low)} – ${dur(b.high)}, tail model ${dur(b.estimate)}`,
      `  (bootstrap of a generalized Pareto tail, shape ${num(b.shape)}, fitted to the ${b.tailSessions} longest of ${input.measuredSessions} measured sessions, ${b.resamples} resamples).`,
    );
    if (!Number.isFinite(b.high)) {
      out.push(
        '  The fitted tail has no finite mean in some resamples (shape ≥ 1): these sessions cannot bound the time.',
      );
    }
    if (b.outliving < SPARSE_TAIL) {
      out.push(
        `  Warning: only ${b.outliving} of the ${input.measuredSessions} measured sessions outlive ${dur(plan.residual.atTarget)}: read off them alone, the time runs`,
        '  short (the measured sessions have nothing past the longest). Size the drain timeout from the interval,',
        '  which extrapolates with the fitted tail, or measure more sessions.',
      );
    }
  } else if (input.measuredSessions !== null && input.measuredSessions < MIN_INTERVAL_SESSIONS) {
    out.push(
      `  ${pct} of them end within ${dur(plan.residual.atTarget)} by the ${input.measuredSessions} measured sessions; an interval takes at least ${MIN_INTERVAL_SESSIONS}.`,
    );
  }
  out.push('');

  if (plan.fits) {
    out.push(`A drain timeout fits the ${dur(input.window)} window.`, '', 'Recommendation');
    out.push(`  drain timeout   ${value(plan.drain.timeout)}deploy gate max_wait=${spec(plan.drain.timeout)}`);
    out.push(...assessment(plan.drain, N, input.replicas));
  } else {
    const ttl = plan.ttl!;
    const notice = plan.notice!;
    out.push(
      `No drain timeout fits the ${dur(input.window)} window: ${pct} of the sessions open at drain start end only after ${dur(plan.residual.atTarget)}`,
      plan.lifetime.atTarget <= input.window
        ? `(judged by the lifetime's own ${q}, ${dur(plan.lifetime.atTarget)}, it would seem to fit). Limit session lifetime instead (seed Part 4):`
        : 'Limit session lifetime instead (seed Part 4):',
      '',
      'Recommendation',
      `  session TTL     ${value(ttl.ttl)}app.ws.session_ttl=${spec(ttl.ttl)}: ${share(ttl.reachFraction)} of sessions reach it; ${num(ttl.reconnectsPerSecond)} TTL reconnects/s per backend`,
      `  drain timeout   ${value(plan.drain.timeout)}deploy gate max_wait=${spec(plan.drain.timeout)}, with the TTL:`,
      ...assessment(plan.drain, N, input.replicas),
      `  drain notice    ${value(notice.retryAfter)}app.ws.drain_notice=true app.ws.retry_after=${spec(notice.retryAfter)}: the ${formatNumber(N)} sessions reconnect spread over ${dur(notice.retryAfter)},`,
      `${MORE}peak ${num(notice.peak.p50)}/s (p99 ${num(notice.peak.p99)}/s, mean ${num(notice.peak.mean)}/s)` +
        (input.reconnectCapacity === null
          ? '; the whole window gives the lowest peak (--reconnect-capacity finds the shortest that fits)'
          : `; the shortest window whose p99 stays within ${num(input.reconnectCapacity)}/s`),
    );
    if (!notice.fitsWindow)
      out.push(
        `${MORE}note: this is longer than the ${dur(input.window)} window: the pool cannot absorb the sessions in time`,
      );
  }

  const withTtl = plan.ttl === null ? '' : ` (with the ${dur(plan.ttl.ttl)} TTL)`;
  out.push('', `Sessions cut vs drain timeout${withTtl}, ${input.replicas} Monte Carlo drains`);
  out.push(
    ...table(
      [
        'timeout',
        'expected cut',
        'p50',
        'p99',
        'P(all end)',
        'Monte Carlo [95% CI]',
        ...(plan.ttl === null ? [] : ['without TTL']),
      ],
      plan.curves.drain.map((p) => [
        dur(p.timeout),
        num(p.expectedOpen),
        num(p.openP50),
        num(p.openP99),
        prob(p.allEndedExact),
        `${prob(p.allEnded.estimate)} [${prob(p.allEnded.low)}, ${prob(p.allEnded.high)}]`,
        ...(plan.ttl === null ? [] : [num(p.expectedOpenWithoutTtl)]),
      ]),
    ),
  );
  out.push('', `Reconnect peak vs drain-notice jitter window (${formatNumber(N)} sessions, busiest second)`);
  out.push(
    ...table(
      ['window', 'mean/s', 'p50/s', 'p99/s'],
      plan.curves.reconnect.map((r) => [dur(r.window), num(r.mean), num(r.p50), num(r.p99)]),
    ),
  );
  return `${out.join('\n')}\n`;
}

function assessment(a: TimeoutAssessment, N: number, replicas: number): string[] {
  return [
    `${MORE}expected ${num(a.expectedOpen)} of ${formatNumber(N)} sessions cut (p50 ${num(a.openP50)}, p99 ${num(a.openP99)} over ${replicas} drains)`,
    `${MORE}P(all ${formatNumber(N)} end by then) = ${prob(a.allEndedExact)} (Monte Carlo ${prob(a.allEnded.estimate)}, 95% CI ${prob(a.allEnded.low)} – ${prob(a.allEnded.high)})`,
  ];
}

/** Columns: the first left-aligned, the rest right-aligned. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('   ')}`.trimEnd();
  return [line(header), ...rows.map(line)];
}

/** Whole seconds from a minute up (as recommended values are); three digits below. */
function dur(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'never';
  return formatDuration(seconds >= 60 ? Math.round(seconds) : Number(seconds.toPrecision(3)));
}

/** A recommended value, padded so the scenario keys after it line up. */
function value(seconds: number): string {
  return dur(seconds).padEnd(VALUE_WIDTH);
}

/** A fraction as a percentage to three significant digits. */
function share(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(3))}%`;
}

/** A duration as a scenario file takes it. */
function spec(seconds: number): string {
  return formatDuration(seconds).replace(/ /g, '');
}

function num(v: number): string {
  return formatNumber(Number(v.toPrecision(3)));
}

function prob(p: number): string {
  return p >= 0.9995 && p < 1 ? '>0.999' : p > 0 && p < 0.001 ? '<0.001' : String(Number(p.toFixed(3)));
}

function percent(fraction: number): string {
  return `${trimPercent(fraction)}%`;
}

function trimPercent(fraction: number): string {
  return String(Number((fraction * 100).toPrecision(6)));
}
