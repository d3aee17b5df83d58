/**
 * Held-out validation, round 30 (session 35, hold30): the figures compared, computed the same way on
 * a twin's run (the blind prediction, and the rule's parent) and on a recording. Two session-34 rules
 * with parameters no recording had used:
 *
 * - maxconn34 9e81ec4e — HAProxy's frontend `maxconn` (lb.frontend_maxconn, lb.frontend_backlog):
 *   at the limit the listener stops accepting (src/listener.c listener_accept(): `p->feconn >=
 *   p->maxconn` → limit_listener()) until a client connection's session is freed
 *   (listener_release() → resume_listener()); the kernel meanwhile queues min(backlog, somaxconn) + 1
 *   handshakes (backlog: `backlog`, else the maxconn: listener_backlog()) with their requests unread
 *   and drops SYNs beyond it (tcp_conn_request: ListenOverflows), retransmitted 1 s, 2 s … after the
 *   connect (TCP_TIMEOUT_INIT, tcp_syn_linear_timeouts). Runs haproxy-holdout30-*. The answer-time
 *   rows also depend on WHEN a slot frees: the model frees it at the client connection's close
 *   (lb/frontend-listener.ts closed(), World.releaseClientEnd), which maxconn35 may move (an l7
 *   stream's end without abortonclose): those rows name it ("slot: client close").
 * - guni34 7a59fb99 — gunicorn's worker timeout (app.worker_timeout): the arbiter SIGABRTs a worker
 *   silent past `--timeout` (arbiter.py murder_workers(), checked once per arbiter loop, at most 1 s
 *   apart), and a sync worker notifies only before each accept (workers/sync.py run_for_one), so a
 *   request longer than the timeout is cut (FIN, no response: the client's EOF) and the replacement
 *   takes the queued connections; requests each shorter than the timeout are never cut. Runs
 *   gunicorn-holdout30-*.
 *
 * Recorders calibration/haproxy/holdout30.mjs (clients holdout30-worker.mjs) and
 * calibration/gunicorn/holdout30.mjs (holdout30-client.mjs, holdout30_app.py); twins
 * calibration/scenarios/<run>.yaml. Every tolerance is stated here, before any recording: counts ±10 %
 * (±2 near zero); HAProxy's last answer ±0.25 s (the model's 25-ms samples and the loaded machine's
 * scheduling); gunicorn's cut and answer times ±1 s — the arbiter checks once a second at a phase
 * following its own start, which the twin cannot know (its checks fall on the run's whole seconds +
 * 0.05 s before a first kill); the /fast answer of a worker that was never cut ±0.25 s.
 */
import type { RunResult } from '../../sim/result.js';
import { buildModel, runScenario, startModel } from '../../sim/run-scenario.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { namedScenario } from '../../sim/scenario/load-for-run.js';
import { ScenarioSchema } from '../../sim/scenario/schema.js';
import { series } from '../model/helpers.js';
import { recordsOf } from '../trace/records-of.js';
import { overSeeds, type Tolerance, totalIn } from './heldout-table.js';
import { SEEDS7 } from './holdout7-figures.js';

const COUNT: Tolerance = { count: true };
/** HAProxy's last answer: the model's 25-ms samples and the loaded machine's scheduling. */
const LAST_ANSWER: Tolerance = { seconds: 0.25 };
/** gunicorn's arbiter checks once a second, at a phase the twin cannot know. */
const ARBITER_PHASE: Tolerance = { seconds: 1 };
/** A /fast request no check cuts: its 1 s and the machine's scheduling. */
const NOT_CUT: Tolerance = { seconds: 0.25 };

export const MAXCONN4 = 'haproxy-holdout30-maxconn4-backlog3-paced20ms-http';
export const MAXCONN6 = 'haproxy-holdout30-maxconn6-paced10ms-half-second-http';
export const GUNI_W2 = 'gunicorn-holdout30-sync-w2-t2-slow2-fast3';
export const GUNI_W1 = 'gunicorn-holdout30-sync-w1-t2-fast2-slow-fast';

/** Which rule each run tests (its parent: the twin without the rule's key). */
export const RULE30: Record<string, string> = {
  [MAXCONN4]: '9e81ec4e',
  [MAXCONN6]: '9e81ec4e',
  [GUNI_W2]: '7a59fb99',
  [GUNI_W1]: '7a59fb99',
};

/** What a round-30 HAProxy recording holds (calibration/haproxy/holdout30.mjs). */
export interface HaproxyRec30 {
  stamp: { sourceCommit?: { commit?: string; dirty?: boolean } | null };
  counters: Record<string, number>;
  /** started: connect() called; connected: it succeeded; received: the app read the request; done: the answer read (s). */
  clients: Array<{
    k: number;
    started: number;
    connected?: number;
    received?: number;
    outcome?: string;
    done?: number;
  }>;
  /** The listener's `ss -lnt` every 50 ms: Recv-Q is the accept queue. */
  ss: Array<{ at: number; recvQ: number; sendQ: number }>;
}

/** What a round-30 gunicorn recording holds (calibration/gunicorn/holdout30.mjs, holdout30-client.mjs). */
export interface GunicornRec30 {
  stamp: { sourceCommit?: { commit?: string; dirty?: boolean } | null };
  /** The arbiter's children, at t0 and at each change. */
  workers: Array<{ s: number; pids: number[] }>;
  conns: Array<{
    k: number;
    path: string;
    startS: number;
    connectS: number | null;
    outcome: string | null;
    status: number | null;
    endS: number | null;
  }>;
  gunicornLog: string[];
}

export type Rec30 = HaproxyRec30 | GunicornRec30;

/** A twin's runs (seeds 1-5) and, for HAProxy, its frontend's accept queue at its deepest (seed 1, 25-ms steps). */
export interface Twin30 {
  runs: RunResult[];
  queueMax: number;
}

export interface Figure30<D> {
  figure: string;
  tolerance: Tolerance;
  real: (d: D) => number | null;
  sim: (t: Twin30) => number | null;
  fixed?: string;
  derived?: string;
}

/** The scenario of `run`'s twin; `parent`: without its rule's key (lb.frontend_maxconn / backlog unset, worker_timeout 0: off). */
function scenarioOf(run: string, parent: boolean) {
  const s = namedScenario(loadScenario(`calibration/scenarios/${run}.yaml`, ScenarioSchema));
  if (!parent) return s;
  if (RULE30[run] === '9e81ec4e')
    return { ...s, lb: { ...s.lb, frontend_maxconn: undefined, frontend_backlog: undefined } };
  return { ...s, app: { ...s.app, worker_timeout: 0 } };
}

/** The frontend's accept queue at its deepest, every 25 ms of the horizon (seed 1; no frontend limit: 0). */
function queueMaxOf(scenario: ReturnType<typeof scenarioOf>): number {
  const model = buildModel({ ...scenario, seed: 1 });
  startModel(model);
  let max = 0;
  for (let at = 0.025; at <= scenario.horizon + 1e-9; at += 0.025) {
    model.world.engine.run(at);
    max = Math.max(max, model.frontend?.queued ?? 0);
  }
  return max;
}

/** `run`'s twin, seeds 1-5 (SEEDS7), or its rule's parent. */
export function twin30(run: string, parent = false): Twin30 {
  const scenario = scenarioOf(run, parent);
  const file = `calibration/scenarios/${run}.yaml`;
  const runs = SEEDS7.map((seed) => runScenario(scenario, { seed, file }));
  return { runs, queueMax: RULE30[run] === '9e81ec4e' ? queueMaxOf(scenario) : 0 };
}

const all = (runs: RunResult[], name: string): number => overSeeds(runs, (r) => totalIn(r, name, 0, 1e9));

/** The twin's last sample with a 2xx answer, s (null: none). */
const last2xx = (r: RunResult): number | null => {
  const xs = series(r, 'responses_2xx').filter(([, v]) => v > 0);
  return xs.length === 0 ? null : (xs[xs.length - 1] as [number, number])[0];
};

const nullable = (runs: RunResult[], f: (r: RunResult) => number | null): number | null => {
  const xs = runs.map(f);
  return xs.some((x) => x === null) ? null : overSeeds(runs, (r) => f(r) as number);
};

// ---------------------------------------------------------------- HAProxy

const answered = (d: HaproxyRec30): HaproxyRec30['clients'] => d.clients.filter((c) => c.outcome === '200');

/** Answers by `t` s: the recording's 200s done by then; the twin's 2xx samples up to `t`. */
const answeredBy = (t: number, why: string): Figure30<HaproxyRec30> => ({
  figure: `clients answered 200 by ${t} s (client lines; twin: 2xx) (9e81ec4e, slot: client close: ${why})`,
  tolerance: COUNT,
  real: (d) => answered(d).filter((c) => (c.done as number) <= t).length,
  sim: ({ runs }) => overSeeds(runs, (r) => totalIn(r, 'responses_2xx', 0, t)),
});

/** The rows common to both HAProxy runs; `waves`: the answered-by rows, `last`, `drops`, `queue`: each row's words. */
function haproxyFigures(
  clients: number,
  waves: Array<Figure30<HaproxyRec30>>,
  words: { last: string; drops: string; queue: string },
): Array<Figure30<HaproxyRec30>> {
  return [
    {
      figure: `clients answered 200 (client lines; twin: 2xx) (${clients} paced, one request each)`,
      fixed: `the input: ${clients} requests, none past its SYN retries`,
      tolerance: COUNT,
      real: (d) => answered(d).length,
      sim: ({ runs }) => all(runs, 'responses_2xx'),
    },
    ...waves,
    {
      figure: `the last answer, s (client lines; twin: the last 25-ms sample with a 2xx) (9e81ec4e, slot: client close: ${words.last})`,
      tolerance: LAST_ANSWER,
      real: (d) => Math.max(...answered(d).map((c) => c.done as number)),
      sim: ({ runs }) => nullable(runs, last2xx),
    },
    {
      figure: `SYNs dropped at the full accept queue (TcpExtListenOverflows; twin: syn_drops) (9e81ec4e: ${words.drops})`,
      tolerance: COUNT,
      real: (d) => d.counters.TcpExtListenOverflows ?? 0,
      sim: ({ runs }) => all(runs, 'syn_drops'),
    },
    {
      figure: `the accept queue at its deepest (ss Recv-Q every 50 ms; twin: the frontend's queue every 25 ms) (9e81ec4e: ${words.queue})`,
      tolerance: COUNT,
      real: (d) => Math.max(0, ...d.ss.map((s) => s.recvQ)),
      sim: ({ queueMax }) => queueMax,
    },
  ];
}

export const HAPROXY30: Record<string, Array<Figure30<HaproxyRec30>>> = {
  [MAXCONN4]: haproxyFigures(
    20,
    [
      answeredBy(1.5, 'the 4 accepted at their SYN, answered at 1.0-1.06 s'),
      answeredBy(2.5, 'the 4 queued, accepted as the first 4 close'),
      answeredBy(3.5, 'the 4 whose first retransmitted SYN found the queue emptied'),
      answeredBy(4.5, 'the 4 of the second retransmission'),
    ],
    {
      last: 'the third retransmission’s 4, a second later',
      drops: '12 + 8 + 4 SYNs: each client past the 8th dropped until the queue has room',
      queue: 'min(backlog 3, somaxconn) + 1 = 4',
    },
  ),
  [MAXCONN6]: haproxyFigures(
    30,
    [
      answeredBy(0.75, 'the 6 accepted at their SYN'),
      answeredBy(1.3, 'and 6 of the 7 queued, accepted at the first answers'),
      answeredBy(1.9, 'the 7th queued, and the first retransmitted SYNs accepted at once by free slots'),
      answeredBy(2.3, 'the retransmitted SYNs that queued'),
    ],
    {
      last: 'the second retransmission of the last clients, accepted at once',
      drops: 'the clients after the 13th at their first SYN, the last ones again at their first retransmission',
      queue: 'the maxconn 6 as backlog: 7',
    },
  ),
};

// ---------------------------------------------------------------- gunicorn

const withOutcome = (d: GunicornRec30, outcome: string): GunicornRec30['conns'] =>
  d.conns.filter((c) => c.outcome === outcome);
const cuts = (d: GunicornRec30): number[] =>
  withOutcome(d, 'EOF')
    .map((c) => c.endS as number)
    .sort((a, b) => a - b);
const simCuts = (r: RunResult): number[] => recordsOf(r, 'app.worker_timeout').map((x) => x.t);
/** The `i`-th cut (from 0), s: the client's EOF; the twin's app.worker_timeout (null: none). */
const cutFigure = (i: number, figure: string): Figure30<GunicornRec30> => ({
  figure,
  tolerance: ARBITER_PHASE,
  real: (d) => cuts(d)[i] ?? null,
  sim: ({ runs }) => nullable(runs, (r) => simCuts(r)[i] ?? null),
});

/** The rows common to both gunicorn runs. */
function gunicornFigures(words: { ok: string; eof: string; kills: string }): Array<Figure30<GunicornRec30>> {
  return [
    {
      figure: `requests answered 200 (client outcomes; twin: 2xx) (7a59fb99: ${words.ok})`,
      tolerance: COUNT,
      real: (d) => withOutcome(d, 'ok').filter((c) => c.status === 200).length,
      sim: ({ runs }) => all(runs, 'responses_2xx'),
    },
    {
      figure: `requests cut, closed with no response (client EOF; twin: requests_failed) (7a59fb99: ${words.eof})`,
      tolerance: COUNT,
      real: (d) => withOutcome(d, 'EOF').length,
      sim: ({ runs }) => all(runs, 'requests_failed'),
    },
    {
      figure: `workers the arbiter killed (gunicorn's "WORKER TIMEOUT" lines; twin: app.worker_timeout records) (7a59fb99: ${words.kills})`,
      tolerance: COUNT,
      real: (d) => d.gunicornLog.filter((l) => l.includes('WORKER TIMEOUT')).length,
      sim: ({ runs }) => overSeeds(runs, (r) => simCuts(r).length),
    },
  ];
}

/** The last 200, s (client outcomes; the twin's last 2xx sample). */
const lastOk = (figure: string, tolerance: Tolerance = ARBITER_PHASE): Figure30<GunicornRec30> => ({
  figure,
  tolerance,
  real: (d) => {
    const xs = withOutcome(d, 'ok').map((c) => c.endS as number);
    return xs.length === 0 ? null : Math.max(...xs);
  },
  sim: ({ runs }) => nullable(runs, last2xx),
});

export const GUNICORN30: Record<string, Array<Figure30<GunicornRec30>>> = {
  [GUNI_W2]: [
    ...gunicornFigures({
      ok: 'the three /fast, taken by the replacements',
      eof: 'both /slow, 5 s against --timeout 2',
      kills: 'the two workers holding a /slow',
    }),
    cutFigure(
      0,
      'the first cut, s (the first EOF; twin: the first app.worker_timeout) (7a59fb99: the /slow accepted at 0, at the first arbiter check past 2 s)',
    ),
    cutFigure(
      1,
      'the second cut, s (the second EOF; twin: the second app.worker_timeout) (7a59fb99: the /slow accepted at 0.5 s, at the first check past 2.5 s, the checks re-phased by the first kill)',
    ),
    lastOk(
      'the last 200, s (client outcomes; twin: the last 2xx sample) (7a59fb99: the /fast queued behind both /slow, served 1 s after a replacement takes it)',
    ),
    {
      figure: "worker pids seen (the client's polls of the arbiter's children; twin: 2 + its kills)",
      derived: 'the 2 workers and a replacement per kill',
      tolerance: COUNT,
      real: (d) => new Set(d.workers.flatMap((w) => w.pids)).size,
      sim: ({ runs }) => overSeeds(runs, (r) => 2 + simCuts(r).length),
    },
  ],
  [GUNI_W1]: [
    ...gunicornFigures({
      ok: 'the three /fast',
      eof: 'the /slow',
      kills: 'the worker holding the /slow',
    }),
    {
      figure:
        'the second /fast answered, s (its client outcome; twin: the 2xx sample after 1.5 s) (7a59fb99: the worker busy 0-2 s with two /fast, notifying before each accept, is not cut)',
      tolerance: NOT_CUT,
      real: (d) => {
        const c = d.conns.find((x) => x.k === 1);
        return c?.outcome === 'ok' ? (c.endS as number) : null;
      },
      sim: ({ runs }) =>
        nullable(runs, (r) => series(r, 'responses_2xx').find(([t, v]) => t > 1.5 && v > 0)?.[0] ?? null),
    },
    cutFigure(
      0,
      'the cut, s (the EOF; twin: the app.worker_timeout) (7a59fb99: the /slow accepted at 2 s, at the first arbiter check past 4 s)',
    ),
    lastOk(
      'the last 200, s (client outcomes; twin: the last 2xx sample) (7a59fb99: the last /fast, served 1 s after the replacement takes it)',
    ),
  ],
};

/** Every figure set of the round, by run. */
export const FIGURES30: Record<string, Array<Figure30<Rec30>>> = {
  ...(HAPROXY30 as Record<string, Array<Figure30<Rec30>>>),
  ...(GUNICORN30 as Record<string, Array<Figure30<Rec30>>>),
};
