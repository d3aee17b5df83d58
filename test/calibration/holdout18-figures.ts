/**
 * Held-out validation, round 18 (session 25, hold18): the figures compared, computed the same way on
 * a twin's runs (the blind prediction) and on a recording. Three of session 23-24's HAProxy 2.6 queue
 * rules that no recording had checked (calibration/haproxy/holdout18.mjs):
 *
 * - 7f7ec3e: roundrobin queues a new stream behind a waiting backend queue even when no server
 *   serves any (src/backend.c assign_server(): FULL when be->queue.length != be->beconn).
 * - 030467c: the last server leaving (drain, maint) leaves the backend queue to `timeout queue`
 *   (src/queue.c pendconn_redistribute() takes only the server's own queue).
 * - 28e2ebc: a second `state drain` of a drained server redistributes nothing (src/server.c
 *   srv_set_admin_flag() returns when the flag is set).
 *
 * Twins calibration/scenarios/<run>.yaml; predictions calibration/data/holdout18-predictions.json
 * (which keeps each figure's tolerance). The twin runner and seeds are round 7's, the HAProxy
 * recording shape round 8's (the client's request log, HAProxy's stream log). Every tolerance is
 * stated here, before any recording: counts ±10 % (±2 near zero); the first queue timeout ±0.25 s
 * (a sixteenth of the 4-s timeout; the 20-25 ms pacing and the harness's command times are well
 * inside); the longest answered wait ±0.25 s (a tenth of the 2.9 s the old model gives).
 */
import type { RunResult } from '../../sim/result.js';
import { recordsOf } from '../trace/records-of.js';
import { overSeeds, type Tolerance, totalIn } from './heldout-table.js';
import { answeredIn, type HaproxyRec8 } from './holdout8-figures.js';
import type { Figure14 } from './holdout14-figures.js';

const COUNT: Tolerance = { count: true };
const QUARTER: Tolerance = { seconds: 0.25 };

/**
 * Answers `servers` gave whose done time is in (from, to] s (the recorder's request log, outcome ok;
 * the twin's per-second goodput samples in (from + 0.5, to + 0.5], so no sample sits on an edge).
 */
const answersIn = (servers: string[], from: number, to: number, what: string): Figure14<HaproxyRec8> => ({
  figure: `${servers.join(' and ')} answers in (${from}, ${to}] s${what}`,
  tolerance: COUNT,
  sim: (runs) =>
    overSeeds(runs, (r) => servers.reduce((a, s) => a + totalIn(r, 'goodput', from + 0.5, to + 0.5, s), 0)),
  real: (d) => servers.reduce((a, s) => a + answeredIn(d, s, from, to), 0),
});

/** HAProxy's 503s (log status 503, any termination) whose stream ended in (from, to] s; the twin's 5xx answers. */
const answers503In = (from: number, to: number, what: string): Figure14<HaproxyRec8> => ({
  figure: `503 answers in (${from}, ${to}] s (log: status 503 by end time; twin: 5xx answers)${what}`,
  tolerance: COUNT,
  sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'req_5xx', from + 0.5, to + 0.5)),
  real: (d) => d.haproxyLog.filter((l) => String(l[3]) === '503' && l[1] > from && l[1] <= to).length,
});

/** The same, only the queue timeouts (log termination sQ); the twin's 5xx answers there are all queue timeouts. */
const queueTimeoutsIn = (from: number, to: number, what: string): Figure14<HaproxyRec8> => ({
  figure: `503 at the queue timeout in (${from}, ${to}] s (log: termination sQ by end time; twin: 5xx answers)${what}`,
  tolerance: COUNT,
  sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'req_5xx', from + 0.5, to + 0.5)),
  real: (d) => d.haproxyLog.filter((l) => String(l[4]).startsWith('sQ') && l[1] > from && l[1] <= to).length,
});

/** The twin's first lb.queue_timeout_503 (s), mean over seeds; none when a seed has none. */
function firstQueueTimeout(runs: RunResult[]): number | null {
  const firsts = runs.map((r) => recordsOf(r, 'lb.queue_timeout_503')[0]?.t ?? null);
  if (firsts.some((t) => t === null)) return null;
  return (firsts as number[]).reduce((a, t) => a + t, 0) / firsts.length;
}

/** The first stream HAProxy ended at the queue timeout (log termination sQ), its end (s); the twin's first lb.queue_timeout_503. */
const firstQueueTimeoutFigure = (what: string): Figure14<HaproxyRec8> => ({
  figure: `first 503 at the queue timeout (s from t0; log: termination sQ; twin: lb.queue_timeout_503)${what}`,
  tolerance: QUARTER,
  sim: firstQueueTimeout,
  real: (d) => {
    const ends = d.haproxyLog.filter((l) => String(l[4]).startsWith('sQ')).map((l) => l[1]);
    return ends.length === 0 ? null : Math.min(...ends);
  },
});

export const QUEUE_NOSERVER = 'haproxy-holdout18-rr-queue-noserver-maxconn2-tq1s-3srv-http';
export const LAST_DRAIN = 'haproxy-holdout18-last-drain-queue-tq4s-1srv-http';
export const LAST_MAINT = 'haproxy-holdout18-last-maint-queue-tq4s-1srv-http';
export const DRAIN_TWICE = 'haproxy-holdout18-cookie-drain-twice-hung-2srv-http';

/** Which rule each run tests (the old model of its rows: `git archive <rule>^`). */
export const RULE18: Record<string, string> = {
  [QUEUE_NOSERVER]: '7f7ec3e',
  [LAST_DRAIN]: '030467c',
  [LAST_MAINT]: '030467c',
  [DRAIN_TWICE]: '28e2ebc',
};

const NO_SERVER = ' (s2 ready from 3.006 s under the queue, s1 and s3 drained: no server serves any stream)';

/** 030467c's run over one server, set to `state` at 4.006 s. */
const lastServerFigures = (state: string): Array<Figure14<HaproxyRec8>> => [
  answers503In(
    4,
    5,
    ` (the ${state} at 4.006 s: the new streams' 503 at once, no usable server; the ≈ 78 queued ones stay)`,
  ),
  answers503In(6, 8, ' (the streams queued in 2.05-4.0 s time out 4 s later, and the new ones)'),
  firstQueueTimeoutFigure(' (the first stream queued after the SIGSTOP, 4 s later)'),
];

export const HAPROXY18: Record<string, Array<Figure14<HaproxyRec8>>> = {
  [QUEUE_NOSERVER]: [
    answersIn(['s1', 's3'], 1, 3, ' (s2 drained: their 2 × 20/s while the backend queue builds)'),
    queueTimeoutsIn(3, 4, ' (the streams queued before the change, 1 s after they queued)'),
    answersIn(['s2'], 4, 9, NO_SERVER),
    answers503In(4, 9, `${NO_SERVER}: every new stream queues and times out`),
  ],
  [LAST_DRAIN]: lastServerFigures('drain'),
  [LAST_MAINT]: lastServerFigures('maint'),
  [DRAIN_TWICE]: [
    answersIn(['s2'], 4, 7, " (s1 drained and hung: its users' slots stick one by one, the others' go on)"),
    answersIn(['s2'], 7, 8, ' (the second drain at 7.006 s hands nothing over: s2 answers its own users only)'),
    {
      figure: "longest wait of an answered request (s) (none of s1's queued users is answered)",
      tolerance: QUARTER,
      sim: (runs) => overSeeds(runs, (r) => r.figures['open_loop_latency.max'] ?? 0),
      real: (d) => Math.max(...d.requestLog.filter((q) => q[2] === 'ok').map((q) => q[1] - q[0])),
    },
  ],
};

/**
 * Rows whose 0 (or none) IS the rule tested (markZeros keeps them as mechanism rows), by
 * `<run> / <figure>`, with the old model's figure.
 */
export const MECHANISM_ZEROS18: Record<string, string> = {
  [`${QUEUE_NOSERVER} / s2 answers in (4, 9] s${NO_SERVER}`]:
    '7f7ec3e: without it (3.1 be->served) the ready s2 serves new streams, ≈ 50 answers',
};

// ---------------------------------------------------------------- second batch (18B): 030467c in maint

export const MAINT_NOREDISPATCH = 'haproxy-holdout18b-cookie-maint-hung-noredispatch-2srv-http';
export const MAINT_REDISPATCH = 'haproxy-holdout18b-cookie-maint-hung-redispatch-2srv-http';

/** 18B's runs and their rule (both runs' old model: 030467c^). */
export const RULE18B: Record<string, string> = { [MAINT_NOREDISPATCH]: '030467c', [MAINT_REDISPATCH]: '030467c' };

/** s1 SIGSTOPped at 3.008 s with its 50 cookie users, set to maint at 6.006 s. */
const maintFigures = (handed: boolean): Array<Figure14<HaproxyRec8>> => [
  answersIn(['s2'], 3, 6, " (s1 hung: its users' slots stick one by one, the others' go on)"),
  answersIn(
    ['s2'],
    6,
    7,
    handed
      ? " (the maint at 6.006 s: with option redispatch s1's ≈ 48 queued users are handed to s2 at once)"
      : " (the maint at 6.006 s: without option redispatch s1's queued users stay in its queue)",
  ),
  {
    figure: handed
      ? "longest wait of an answered request (s) (s1's queued users, answered by s2 at the maint)"
      : "longest wait of an answered request (s) (none of s1's queued users is answered)",
    tolerance: QUARTER,
    sim: (runs) => overSeeds(runs, (r) => r.figures['open_loop_latency.max'] ?? 0),
    real: (d) => Math.max(...d.requestLog.filter((q) => q[2] === 'ok').map((q) => q[1] - q[0])),
  },
];

export const HAPROXY18B: Record<string, Array<Figure14<HaproxyRec8>>> = {
  [MAINT_NOREDISPATCH]: maintFigures(false),
  [MAINT_REDISPATCH]: maintFigures(true),
};

/** 18B's rows whose 0 IS the rule: none (its figures are counts and waits above zero). */
export const MECHANISM_ZEROS18B: Record<string, string> = {};
