/**
 * The work budget of one run: before simulating, an estimate of the engine events and the memory
 * a scenario asks for, from what drives them (arrival rates × simulated time, sessions, samples);
 * during the run, a hard stop when the events or the process's memory pass the limit. A file
 * anyone can edit must not be able to make `drainsim check` run for hours or grow past the
 * machine (`horizon: 300d` at 75 connections/s, `sample_interval: 10ms` over a day).
 *
 * The estimate is deliberately pessimistic: its constants were set so that it is above the actual
 * engine_events of every built-in scenario (test/golden/*.summary.json; hard-cut: 1.2 M actual,
 * 2.3 M estimated; hc-cascade-safe, a retry storm: 25.1 M actual, 27 M estimated) and every
 * built-in stays far below the default limits (test/hostile/work-budget.test.ts checks both).
 * Peak RSS of the built-ins is 80–160 MB (README, Benchmarks); the memory estimate counts the
 * timeline rows, the histogram samples (one per request) and the open sessions on top of a base.
 */
import type { Engine } from '../engine/engine.js';
import { ScenarioError } from './errors.js';
import type { Scenario } from './schema.js';
import { formatDuration } from './units.js';

export interface WorkLimits {
  /** Engine events per run. */
  maxEvents: number;
  /** Bytes of memory per run (the estimate before, the process's RSS during). */
  maxBytes: number;
}

/** ~1 minute of simulation on the reference machine (1–3 M events/s), 10× the busiest built-in. */
export const DEFAULT_MAX_EVENTS = 100_000_000;
/** 2 GiB: a CI runner's share; the built-ins peak at ~160 MB. */
export const DEFAULT_MAX_BYTES = 2 * 1024 ** 3;

export const DEFAULT_LIMITS: WorkLimits = { maxEvents: DEFAULT_MAX_EVENTS, maxBytes: DEFAULT_MAX_BYTES };

export interface WorkEstimate {
  events: number;
  bytes: number;
  /** What the estimate is made of, largest first, for the refusal message. */
  parts: { what: string; events: number; bytes: number }[];
}

// Per-unit costs, calibrated on the built-ins (see the file comment).
/** Events per request on a keepalive connection (send, serve, answer, think) — ~1.9 measured. */
const EVENTS_PER_KEEPALIVE_REQUEST = 3;
/** Events to open and close one connection (SYN, accept, FIN, TIME_WAIT expiry). */
const EVENTS_PER_CONNECTION = 10;
/** Events per open-loop request attempt — 2 measured without retries, 5.7 in hc-cascade-safe (session 32: SYNs retransmitted for clients gone, SYN-cookie resets; 25.1 M events). */
const EVENTS_PER_ATTEMPT = 5;
/** Events per WebSocket session: open, close, reconnect. */
const EVENTS_PER_SESSION = 10;
/** Events per health check or probe (send, serve, answer or time out). */
const EVENTS_PER_CHECK = 4;
/** Memory: the process and the model before any traffic. */
const BASE_BYTES = 150 * 1024 ** 2;
/** Memory per timeline row (one per sample and entity): ~40 numbers, then CSV and HTML text. */
const BYTES_PER_ROW = 1024;
/** Memory per request kept in histograms (a latency sample and its share of growth). */
const BYTES_PER_REQUEST = 24;
/** Memory per open session or connection (its objects, timers, TIME_WAIT entry). */
const BYTES_PER_SESSION = 2048;

function finiteMean(d: { mean(): number; quantile(p: number): number }): number {
  const mean = d.mean();
  if (Number.isFinite(mean)) return mean;
  const high = d.quantile(0.999);
  return Number.isFinite(high) ? high : 1e6;
}

function maxRate(s: Scenario, base: number, key: 'http_rate' | 'ws_rate' | 'request_rate'): number {
  let rate = base;
  for (const action of s.timeline) if (action.do === 'load') rate = Math.max(rate, action[key] ?? 0);
  return rate;
}

/** The events and bytes a scenario asks for (an upper estimate, see the file comment). */
export function estimateWork(s: Scenario): WorkEstimate {
  const seconds = s.warmup + s.horizon;
  const backends = s.backends.length;
  const parts: WorkEstimate['parts'] = [];

  const httpRate = maxRate(s, s.clients.http.arrival_rate, 'http_rate');
  if (httpRate > 0) {
    const connections = httpRate * seconds;
    const perConnection = Math.min(finiteMean(s.clients.http.requests_per_connection), 1e6);
    const requests = connections * perConnection * (1 + s.clients.http.retries / 4);
    parts.push({
      what: `${fmt(connections)} HTTP connections (${httpRate}/s × ${formatDuration(seconds)}) with ${fmt(requests)} requests`,
      events: connections * EVENTS_PER_CONNECTION + requests * EVENTS_PER_KEEPALIVE_REQUEST,
      bytes:
        requests * BYTES_PER_REQUEST +
        httpRate * Math.min(seconds, perConnection * finiteMean(s.clients.http.think_time)) * BYTES_PER_SESSION,
    });
  }

  const requestRate = maxRate(s, s.clients.requests.rate, 'request_rate');
  if (requestRate > 0) {
    const attempts = requestRate * seconds * (1 + s.clients.requests.retries);
    parts.push({
      what: `${fmt(requestRate * seconds)} open-loop requests (${requestRate}/s × ${formatDuration(seconds)}, up to ${s.clients.requests.retries} retries each)`,
      events: attempts * EVENTS_PER_ATTEMPT + requestRate * seconds * 2,
      bytes: attempts * BYTES_PER_REQUEST + s.clients.requests.users * 200,
    });
  }

  const ws = s.clients.ws;
  const wsRate = maxRate(s, ws.arrival_rate, 'ws_rate');
  const sessions = ws.initial_sessions + wsRate * seconds;
  if (sessions > 0) {
    const pings = Number.isFinite(ws.ping_interval)
      ? (seconds / ws.ping_interval) * Math.min(sessions, ws.initial_sessions + wsRate * finiteMean(ws.lifetime))
      : 0;
    parts.push({
      what: `${fmt(sessions)} WebSocket sessions${pings > 0 ? ` and ${fmt(pings)} pings` : ''}`,
      events: sessions * EVENTS_PER_SESSION + pings * 2,
      bytes: sessions * BYTES_PER_SESSION,
    });
  }

  const checks = [s.health_check?.inter, s.probes.readiness?.period, s.probes.liveness?.period]
    .filter((period): period is number => period !== undefined)
    .reduce((sum, period) => sum + (backends * seconds) / period, 0);
  if (checks > 0)
    parts.push({ what: `${fmt(checks)} health checks and probes`, events: checks * EVENTS_PER_CHECK, bytes: 0 });

  const samples = Math.ceil(s.horizon / s.sample_interval);
  const rows = samples * (backends + 1);
  parts.push({
    what: `${fmt(rows)} timeline rows (${fmt(samples)} samples every ${formatDuration(s.sample_interval)} × ${backends + 1} entities)`,
    events: samples + (seconds / 60) * 2,
    bytes: rows * BYTES_PER_ROW,
  });

  parts.sort((a, b) => b.events + b.bytes / 100 - (a.events + a.bytes / 100));
  const events = parts.reduce((sum, p) => sum + p.events, 0);
  const bytes = BASE_BYTES + parts.reduce((sum, p) => sum + p.bytes, 0);
  return { events, bytes, parts };
}

function exact(n: number): string {
  return n.toLocaleString('en-US');
}

function fmt(n: number): string {
  if (n < 1e4) return String(Math.round(n));
  if (n < 1e6) return `${Math.round(n / 1e3)}k`;
  if (n < 1e9) return `${Math.round(n / 1e5) / 10} M`;
  return n.toExponential(1).replace('e+', 'e');
}

export function formatMegabytes(bytes: number): string {
  const mb = bytes / 1024 ** 2;
  return mb < 1e6 ? `${Math.round(mb).toLocaleString('en-US')} MB` : `${mb.toExponential(1).replace('e+', 'e')} MB`;
}

/** Refuses a scenario whose estimate passes a limit: exit 2 with the estimate and how to raise the limit. */
export function checkWorkBudget(s: Scenario, file: string, limits: WorkLimits): WorkEstimate {
  const estimate = estimateWork(s);
  const over: string[] = [];
  if (estimate.events > limits.maxEvents) {
    over.push(
      `about ${fmt(estimate.events)} engine events, more than the limit of ${fmt(limits.maxEvents)} (--max-events raises it)`,
    );
  }
  if (estimate.bytes > limits.maxBytes) {
    over.push(
      `about ${formatMegabytes(estimate.bytes)} of memory, more than the limit of ${formatMegabytes(limits.maxBytes)} (--max-memory raises it)`,
    );
  }
  if (over.length > 0) {
    const made = estimate.parts
      .slice(0, 3)
      .map((p) => p.what)
      .join('; ');
    throw new ScenarioError([
      {
        file,
        path: '',
        message: `this run would need ${over.join(', and ')}: ${made}. Shorten horizon or warmup, lower the rates, or sample less often`,
      },
    ]);
  }
  return estimate;
}

/** A run stopped by its budget: a scenario error (exit 2), with where the run got to. */
export class RunBudgetExceeded extends ScenarioError {}

export interface RunBudget extends WorkLimits {
  /** The scenario file as shown in messages. */
  file: string;
}

/** How many events pass between memory checks (an RSS read costs about a microsecond). */
const MEMORY_CHECK_EVERY = 65_536;

/**
 * A run whose simulated clock has moved less than STALL_SPAN over STALL_EVENTS events is stuck in a
 * loop at one moment (a reconnect or retry with no delay against a backend that refuses at once):
 * no modelled system makes a million events in a millisecond (the largest built-in, the 1-h fleet,
 * averages ~10,000 events per simulated second), and without this such a run spins until
 * --max-events, minutes later (review30 #7: 125 s of CPU at 1m 3.6s simulated).
 */
const STALL_EVENTS = 16 * MEMORY_CHECK_EVERY;
const STALL_SPAN = 1e-3;

/**
 * engine.run(until), stopping with RunBudgetExceeded when the run's events or the process's
 * resident memory pass the budget. The order of events is engine.run's own, so results are the
 * same as without a budget; only a run over budget differs (it ends with the error).
 */
export function runEngineWithin(engine: Engine, until: number, budget: RunBudget): void {
  // The engine runs from one checkpoint to the next (the next multiple of MEMORY_CHECK_EVERY, or
  // the event past the limit), not one step() at a time: the checks fall after the same events as
  // around each step, without a pending/peekTime/step round per event.
  // The clock at the checkpoints of the last STALL_EVENTS events (a ring of 16).
  const clockAt: number[] = [];
  for (;;) {
    const before = engine.fired;
    const nextMemoryCheck = (Math.floor(before / MEMORY_CHECK_EVERY) + 1) * MEMORY_CHECK_EVERY;
    const ranToEnd = engine.runUntilCount(until, Math.min(nextMemoryCheck, budget.maxEvents + 1));
    if (engine.fired === before) return;
    if (engine.fired > budget.maxEvents)
      throw overBudget(
        engine,
        budget,
        `${exact(engine.fired)} engine events, over the limit of ${exact(budget.maxEvents)} (--max-events raises it)`,
      );
    if (engine.fired % MEMORY_CHECK_EVERY === 0) {
      const checkpoint = engine.fired / MEMORY_CHECK_EVERY;
      const ring = STALL_EVENTS / MEMORY_CHECK_EVERY;
      const then = clockAt[checkpoint % ring];
      if (then !== undefined && engine.now - then < STALL_SPAN) throw stalled(engine, budget, then);
      clockAt[checkpoint % ring] = engine.now;
      const rss = process.memoryUsage.rss();
      if (rss > budget.maxBytes)
        throw overBudget(
          engine,
          budget,
          `${formatMegabytes(rss)} of memory, over the limit of ${formatMegabytes(budget.maxBytes)} (--max-memory raises it)`,
        );
    }
    if (ranToEnd) return;
  }
}

function overBudget(engine: Engine, budget: RunBudget, what: string): RunBudgetExceeded {
  return new RunBudgetExceeded([
    {
      file: budget.file,
      path: '',
      message: `run stopped at ${runTime(engine.now)}: ${what}. The scenario makes far more work than its rates suggest (a retry or reconnect loop with no delay?)`,
    },
  ]);
}

function stalled(engine: Engine, budget: RunBudget, since: number): RunBudgetExceeded {
  const span = engine.now - since;
  return new RunBudgetExceeded([
    {
      file: budget.file,
      path: '',
      message:
        `run stopped at ${runTime(engine.now)}: simulated time is not advancing, ${exact(STALL_EVENTS)} engine events ` +
        `within ${span === 0 ? 'one instant' : formatDuration(span)}. A loop with no delay: a reconnect or retry policy ` +
        'with a zero base or backoff against backends that refuse or reset at once (give it a delay, e.g. ' +
        '`clients.ws.reconnect.base: 1s`, or a jittered policy)',
    },
  ]);
}

function runTime(now: number): string {
  return now < 0 ? `${formatDuration(-now)} before the start (warmup)` : `${formatDuration(now)} into the run`;
}
