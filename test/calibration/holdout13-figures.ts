/**
 * Held-out validation, round 13 (session 22, hold13): the figures compared, computed the same way on
 * a twin's runs (the blind prediction) and on a recording. Runs: calibration/nginx/holdout13-experiments.mjs
 * (client keepalive_requests with a reload; proxy_connect_timeout with proxy_read_timeout on a frozen
 * app whose accept queue is full, directly and through an upstream keepalive cache); twins
 * calibration/scenarios/<name>.yaml; predictions calibration/data/holdout13-predictions.json. The
 * twin runner and the seeds are round 7's (holdout7-figures.ts).
 *
 * Tolerances, stated before recording: counts ±10 % (±2 near zero); the old worker's exit ±0.15 s
 * (the recorder samples the workers every 100 ms, + 50 ms); the longest wait of an answered request
 * ±0.3 s (30 % of a 1-s SYN retransmission).
 */
import type { RunResult } from '../../sim/result.js';
import { overSeeds, type Tolerance, totalIn } from './heldout-table.js';
import { COUNT, exitOf, type Figure7 } from './holdout7-figures.js';

/**
 * A round-13 figure; `fixed` says why a row cannot fail on the model's mechanism (round 9's
 * marking), `derived` which other rows (and input) give its value. Marked after the recordings
 * (review27): a marking moves a row out of the mechanism count, never its values or tolerance.
 */
export interface Figure13<D> extends Figure7<D> {
  fixed?: string;
  derived?: string;
}

/** What a round-13 nginx recording holds (calibration/nginx/experiment.mjs). */
export interface NginxRec13 {
  clientEvents: Array<{
    ev: string;
    s: number;
    sentS?: number;
    how?: string;
    out?: string;
    status?: number | null;
    conn?: string | null;
  }>;
  backendEvents: Array<{ ev: string; s: number }>;
  workers: Array<{ pid: number; firstS: number; lastS: number; shuttingDownS: number | null; goneS: number | null }>;
  actions: Array<{ signal: string; plannedS: number; s: number }>;
  errorLogCounts: Record<string, number>;
}

const OLD_WORKER_EXIT: Tolerance = { seconds: 0.15 };
const LONGEST_WAIT: Tolerance = { seconds: 0.3 };

/** The requests the recorder's clients completed (a request cut by the client's own stop is not one). */
const requestsOf = (d: NginxRec13) => d.clientEvents.filter((e) => e.ev === 'req' && e.out !== 'client-closed');
const in_ = (from: number, to: number) => (e: { s: number }) => e.s >= from && e.s < to;

/** Connections nginx closed (the client read its FIN, `how` eof) at [from, to) s; the twin's closed_fin in (from, to]. */
function closesIn(from: number, to: number, what: string): Figure13<NginxRec13> {
  return {
    figure: `connections nginx closed in [${from}, ${to}) s${what}`,
    tolerance: COUNT,
    sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'closed_fin', from, to)),
    real: (d) => d.clientEvents.filter((e) => e.ev === 'conn-close' && e.how === 'eof' && in_(from, to)(e)).length,
  };
}

/** Requests answered `status` at [from, to) s (the twin's responses_2xx / responses_5xx in (from, to]). */
function answeredIn(
  status: 200 | 502 | 504,
  from: number,
  to: number,
  what: string,
  fixed?: string,
): Figure13<NginxRec13> {
  return {
    figure: `requests answered ${status} in [${from}, ${to}) s${what}`,
    tolerance: COUNT,
    sim: (runs) => overSeeds(runs, (r) => totalIn(r, status === 200 ? 'responses_2xx' : 'responses_5xx', from, to)),
    real: (d) => requestsOf(d).filter((e) => e.out === 'ok' && e.status === status && in_(from, to)(e)).length,
    fixed,
  };
}

/** Requests that failed (EOF / reset / not 200) at [from, to) s; the twin's errors and 5xx in (from, to]. */
function failedIn(from: number, to: number): Figure13<NginxRec13> {
  return {
    figure: `failed requests in [${from}, ${to}) s (EOF / reset / not 200)`,
    tolerance: COUNT,
    sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'errors', from, to) + totalIn(r, 'responses_5xx', from, to)),
    real: (d) => requestsOf(d).filter((e) => in_(from, to)(e) && !(e.out === 'ok' && e.status === 200)).length,
  };
}

/** The old worker (the one that got the QUIT) gone, s after the reload: sampled every 100 ms, the first sample without it. */
const oldWorkerGone: Figure13<NginxRec13> = {
  figure: 'old worker gone, s after the reload at 5.12 s (twin: generation 1 exits)',
  tolerance: OLD_WORKER_EXIT,
  sim: (runs) => {
    const t = exitOf(runs[0], 1);
    return t === null ? null : t - 5.12;
  },
  real: (d) => {
    const gone = d.workers.find((w) => w.shuttingDownS !== null)?.goneS ?? null;
    const reload = d.actions.find((a) => a.signal === 'reload')?.s ?? null;
    return gone === null || reload === null ? null : gone - reload;
  },
};

/** nginx's upstream timeouts of one kind: error.log lines (real), trace records (twin), mean over seeds. */
function upstreamTimeouts(kind: 'reading' | 'connecting'): Figure13<NginxRec13> {
  const record = kind === 'reading' ? 'nginx.upstream_read_timeout' : 'nginx.upstream_connect_timeout';
  const line =
    kind === 'reading'
      ? /timed out.*while reading response header from upstream/
      : /timed out.*while connecting to upstream/;
  return {
    figure: `upstream timed out ${kind} (error.log; twin: ${record} records)`,
    tolerance: COUNT,
    sim: (runs) => overSeeds(runs, (r) => r.events.filter((l) => l.record.kind === record).length),
    real: (d) =>
      Object.entries(d.errorLogCounts)
        .filter(([k]) => line.test(k))
        .reduce((a, [, n]) => a + n, 0),
  };
}

/**
 * The longest a request answered 200 waited (s): one held by the frozen app (its connect or its
 * request) and answered after the SIGCONT; the twin's request_latency max (answered requests), mean
 * over seeds.
 */
const longestAnswered: Figure13<NginxRec13> = {
  figure: 'longest wait of a request answered 200 (s)',
  tolerance: LONGEST_WAIT,
  sim: (runs: RunResult[]) => overSeeds(runs, (r) => r.figures['request_latency.max'] ?? 0),
  real: (d) =>
    Math.max(
      0,
      ...requestsOf(d)
        .filter((e) => e.out === 'ok' && e.status === 200)
        .map((e) => e.s - (e.sentS ?? e.s)),
    ),
};

/** Upstream connections the app accepted at [from, to) s (backend up-conn); the twin's upstream_connects in (from, to]. */
function upstreamConnectsIn(from: number, to: number, what: string): Figure13<NginxRec13> {
  return {
    figure: `upstream connections opened in [${from}, ${to}) s${what}`,
    tolerance: COUNT,
    sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'upstream_connects', from, to)),
    real: (d) => d.backendEvents.filter((e) => e.ev === 'up-conn' && in_(from, to)(e)).length,
  };
}

const reloadFigures = (answered: string, quit: string): Array<Figure13<NginxRec13>> => [
  answeredIn(
    200,
    0,
    11,
    '',
    `the recorder's closed loops (keepDue) send ${answered} whatever nginx closes, if none fails`,
  ),
  failedIn(0, 11),
  closesIn(0, 5, ' (keepalive_requests: each 5th answer, 2 s apart per connection)'),
  closesIn(5, 6, ` (the QUIT: ${quit})`),
  closesIn(6, 7, " (none: the new worker's request counts started again at the reload)"),
  closesIn(7, 8, " (the 5th answers on the new worker's connections)"),
  closesIn(8, 11, ''),
  oldWorkerGone,
];

/** The backlog-2 runs' answers after the SIGCONT: 37 / 37 in both, whatever their timeouts. */
const PACED_AFTER_SIGCONT =
  'the closed loops again once the app answers: 10 clients, 500 ms think, answered at once (37 in both backlog-2 runs)';
/** The 500-ms connect timeout run's longest answered wait: 0.005 / 0.001 s against ±0.3 s. */
const NONE_HELD_ANSWERED =
  'proxy_connect_timeout 500 ms ends every connect the full queue holds before its 1-s SYN retransmission, so no held ' +
  'request is answered 200: the longest is an unheld one, ≈ 0 s both sides, far inside ±0.3 s';

/** `afterSigcont` / `longest`: why those rows cannot fail in a run (marked after the recordings, review27). */
const frozenFigures = (afterSigcont?: string, longest?: string): Array<Figure13<NginxRec13>> => [
  answeredIn(200, 0, 4, ' (before the freeze)', 'the closed loops: 10 clients, 500 ms think, answered at once'),
  answeredIn(504, 4, 11, ' (the freeze and the timeouts pending at the SIGCONT)'),
  upstreamTimeouts('reading'),
  upstreamTimeouts('connecting'),
  answeredIn(200, 10, 12, ' (after the SIGCONT)', afterSigcont),
  { ...longestAnswered, fixed: longest },
];

export const NGINX13: Record<string, Array<Figure13<NginxRec13>>> = {
  'nginx-holdout13-reload-kr5-slow300': reloadFigures(
    '≈ 20 × 11 s / 0.4 s requests',
    'the idle ones closed, the busy ones answered `Connection: close`',
  ),
  'nginx-holdout13-reload-kr5-think400': reloadFigures('≈ 20 × 11 s / 0.4 s requests', 'every connection idle, closed'),
  'nginx-holdout13-frozen-backlog2-ct2-rt1': frozenFigures(PACED_AFTER_SIGCONT),
  'nginx-holdout13-frozen-backlog2-ct500ms-rt3': frozenFigures(PACED_AFTER_SIGCONT, NONE_HELD_ANSWERED),
  'nginx-holdout13-upstream-ka4-frozen-ct2-rt1': [
    upstreamConnectsIn(0, 4, ' (8, then 4 a cycle: the cache keeps 4 of 8)'),
    ...frozenFigures().filter((f) => !f.figure.includes('before the freeze')),
  ],
};

// ---------------------------------------------------------------- second batch (13B)

/**
 * Second batch, stated before its recording: upstream connects that nginx closes itself (upstream
 * keepalive_requests 1) from a 100-port ip_local_port_range, tcp_tw_reuse 0 and 2. The first 502
 * ±0.1 s (20 % of the 0.5 s 100 ports last at ≈ 200 connects a second).
 */
const FIRST_502: Tolerance = { seconds: 0.1 };

/** nginx's connect() failures for want of a local port: error.log (real), the twin's upstream_eaddrnotavail. */
const noPort: Figure13<NginxRec13> = {
  figure: 'upstream connect() failed, EADDRNOTAVAIL (error.log [crit]; twin: upstream_eaddrnotavail)',
  tolerance: COUNT,
  sim: (runs) => overSeeds(runs, (r) => r.figures['upstream_eaddrnotavail.total'] ?? 0),
  real: (d) =>
    Object.entries(d.errorLogCounts)
      .filter(([k]) => /Cannot assign requested address/.test(k))
      .reduce((a, [, n]) => a + n, 0),
};

/** When the first 502 was answered (s); the twin's first nginx.upstream_no_port record (the first of a second is never folded), seed 1. */
const first502: Figure13<NginxRec13> = {
  figure: 'first 502 answered (s)',
  tolerance: FIRST_502,
  sim: (runs) => runs[0].events.find((l) => l.record.kind === 'nginx.upstream_no_port')?.t ?? null,
  real: (d) => {
    const ts = requestsOf(d)
      .filter((e) => e.out === 'ok' && e.status === 502)
      .map((e) => e.s);
    return ts.length ? Math.min(...ts) : null;
  },
};

/**
 * The port runs' rows that restate others (marked after the recordings, review27): the 502s are
 * the closed loops' requests less the 200s, each 502 is one EADDRNOTAVAIL, and the first 502 is
 * when the 100 ports run out at ≈ 200 connects a second, as the [0, 1) s row's 100 answers say.
 */
const portsFigures = (): Array<Figure13<NginxRec13>> => [
  answeredIn(200, 0, 1, ''),
  answeredIn(200, 1, 8, ''),
  {
    ...answeredIn(502, 0, 8, ''),
    derived: "the closed loops' requests (20 clients, ≈ 200 a second) less the 200 rows: nothing else answers",
  },
  { ...noPort, derived: "the 502 row's count: each 502 is one connect() without a local port" },
  { ...first502, derived: 'the [0, 1) s row: the 100 ports last 0.5 s at ≈ 200 connects a second' },
];

export const NGINX13B: Record<string, Array<Figure13<NginxRec13>>> = {
  'nginx-holdout13b-upstream-kr1-ports100-twreuse0': portsFigures(),
  'nginx-holdout13b-upstream-kr1-ports100-twreuse2': portsFigures(),
};

// ---------------------------------------------------------------- post hoc (not blind)

/**
 * Re-read after the recordings (no model, twin or tolerance changed): two readings of the blind
 * figures were wrong.
 * - The twin's timeout counts counted trace LINES: drainsim keeps the first 5 records of a kind in
 *   each second and folds the rest into one line at the end of the second ("(N more like this in
 *   this second)", sim/metrics/event-log.ts EventLog.emitLimited / flushWindow: its record is the
 *   last suppressed, its `folded` the others — since ce805c5, before it the number suppressed),
 *   so a line stands for 1 + `folded` records.
 * - The old worker was found by its "shutting down" title; in the idle run it exited before the
 *   recorder's next 100-ms sample saw that title (gone 0.155 s after the reload), so no worker had
 *   shuttingDownS. The old worker is the one first seen before the reload.
 */
function upstreamTimeoutsUnfolded(kind: 'reading' | 'connecting'): Figure13<NginxRec13> {
  const blind = upstreamTimeouts(kind);
  const record = kind === 'reading' ? 'nginx.upstream_read_timeout' : 'nginx.upstream_connect_timeout';
  return {
    ...blind,
    figure: `${blind.figure} — post hoc: a folded line counts its folded records`,
    sim: (runs) =>
      overSeeds(runs, (r) => r.events.filter((l) => l.record.kind === record).reduce((a, l) => a + 1 + l.folded, 0)),
  };
}

const oldWorkerGoneFirstSeen: Figure13<NginxRec13> = {
  ...oldWorkerGone,
  figure: `${oldWorkerGone.figure} — post hoc: the worker first seen before the reload`,
  real: (d) => {
    const reload = d.actions.find((a) => a.signal === 'reload')?.s ?? null;
    if (reload === null) return null;
    const gone = d.workers.find((w) => w.firstS < reload && w.goneS !== null)?.goneS ?? null;
    return gone === null ? null : gone - reload;
  },
};

const timeoutsPostHoc = [upstreamTimeoutsUnfolded('reading'), upstreamTimeoutsUnfolded('connecting')];

export const NGINX13_POST_HOC: Record<string, Array<Figure13<NginxRec13>>> = {
  'nginx-holdout13-reload-kr5-slow300': [oldWorkerGoneFirstSeen],
  'nginx-holdout13-reload-kr5-think400': [oldWorkerGoneFirstSeen],
  'nginx-holdout13-frozen-backlog2-ct2-rt1': timeoutsPostHoc,
  'nginx-holdout13-frozen-backlog2-ct500ms-rt3': timeoutsPostHoc,
  'nginx-holdout13-upstream-ka4-frozen-ct2-rt1': timeoutsPostHoc,
};
