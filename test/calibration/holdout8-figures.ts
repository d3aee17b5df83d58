/**
 * Held-out validation, round 8 (session 20, hold8): the figures compared, computed the same way on
 * a twin's runs (the blind prediction) and on a recording. Runs: calibration/haproxy/holdout8.mjs,
 * calibration/nginx/holdout8-experiments.mjs, calibration/experiments.mjs HOLDOUT8_KERNEL_EXPERIMENTS;
 * twins calibration/scenarios/<name>.yaml; predictions calibration/data/holdout8-predictions.json.
 * The twin runner, the seeds and the uptime grid are round 7's (holdout7-figures.ts).
 */
import type { RunResult } from '../../sim/result.js';
import { runScenario } from '../../sim/run-scenario.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { namedScenario } from '../../sim/scenario/load-for-run.js';
import { ScenarioSchema } from '../../sim/scenario/schema.js';
import { recordsOf } from '../trace/records-of.js';
import { overSeeds, type Tolerance, totalIn } from './heldout-table.js';
import {
  COUNT,
  clientErrors,
  exitOf,
  type Figure7,
  failures,
  type HaproxyRec7,
  type NginxRec7,
  SECONDS,
  SEEDS7,
  SHARE,
  simState,
  stateAt,
  stateTime,
} from './holdout7-figures.js';

/** What a round-8 HAProxy recording holds besides round 7's: every client request (keepRequests). */
export interface HaproxyRec8 extends HaproxyRec7 {
  /** [sent, done, outcome, server, slot], s from t0 (calibration/haproxy/lab.mjs requestLog()). */
  requestLog: Array<[number, number, string, string, number]>;
}

/** The longest a client waited for its answer (any outcome): the recorder's done − sent, the twin's latency max. */
export const longestWait: Figure7<HaproxyRec8> = {
  figure: 'longest client wait, any outcome (s)',
  tolerance: SECONDS,
  sim: (runs) => overSeeds(runs, (r) => r.figures['open_loop_latency.max'] ?? 0),
  real: (d) => Math.max(...d.requestLog.map((q) => q[1] - q[0])),
};

/** Answers `server` gave, by the recorder's request log (outcome ok), whose done time is in (from, to]. */
export const answeredIn = (d: HaproxyRec8, server: string | null, from: number, to: number): number =>
  d.requestLog.filter((q) => q[2] === 'ok' && (server === null || q[3] === server) && q[1] > from && q[1] <= to).length;

/**
 * s3's share of the answers in a window `from`-`to` s after the first whole second after its UP
 * (the twin's goodput is sampled per second, so both sides count whole seconds from ⌈UP⌉).
 */
function s3ShareAfterUp(from: number, to: number): Figure7<HaproxyRec8> {
  return {
    figure: `s3's share of the answers in (⌈UP⌉ + ${from}, ⌈UP⌉ + ${to}] s (slowstart 6s)`,
    tolerance: SHARE,
    sim: (runs) => {
      const up = simState(runs, 's3', 'hc.up');
      if (up === null) return null;
      const c = Math.ceil(up);
      return overSeeds(
        runs,
        (r) => totalIn(r, 'goodput', c + from, c + to, 's3') / totalIn(r, 'goodput', c + from, c + to, 'total'),
      );
    },
    real: (d) => {
      const up = stateAt(d, 's3', 'UP');
      if (up === null) return null;
      const c = Math.ceil(up);
      return answeredIn(d, 's3', c + from, c + to) / answeredIn(d, null, c + from, c + to);
    },
  };
}

/**
 * s1 SIGSTOPped 4-9 s over two servers (round 8 with maxconn 4, round 9 leastconn and random(2)):
 * what the balancing still gives the hung s1, what s2 answers meanwhile, the longest wait, errors.
 */
export function hungS1Figures(): Array<Figure7<HaproxyRec8>> {
  return [
    clientErrors,
    {
      // The requests s1 took (round 8: its four slots; round 9: what the balancing still gave it): they wait for the SIGCONT.
      figure: 'requests sent in [4, 9) s that s1 answered (twin: attempts on s1 in (4, 9] s)',
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'attempts', 4, 9, 's1')),
      real: (d) => d.requestLog.filter((q) => q[3] === 's1' && q[0] >= 4 && q[0] < 9).length,
    },
    {
      figure: 's2 answers in (4, 9] s (the pause)',
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'goodput', 4, 9, 's2')),
      real: (d) => answeredIn(d, 's2', 4, 9),
    },
    longestWait,
  ];
}

export const HAPROXY8: Record<string, Array<Figure7<HaproxyRec8>>> = {
  'haproxy-holdout8-queue-maxconn4-tq2s-http': [
    {
      figure: 'client errors (503 at the queue timeout; twin: errors)',
      tolerance: COUNT,
      sim: clientErrors.sim,
      real: failures,
    },
    {
      figure: 'answered (200)',
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => r.figures['goodput.total'] ?? 0),
      real: (d) => d.summary.outcomes.ok ?? 0,
    },
    {
      // The first request whose queue wait reached `timeout queue`: its 503's time.
      figure: 'first 503 (s; twin: first lb.queue_timeout_503)',
      tolerance: SECONDS,
      sim: (runs) => overSeeds(runs, (r) => recordsOf(r, 'lb.queue_timeout_503')[0]?.t ?? Number.NaN),
      real: (d) => {
        const t = d.requestLog.filter((q) => q[2] === 'http503').map((q) => q[1]);
        return t.length ? Math.min(...t) : null;
      },
    },
    longestWait,
  ],
  'haproxy-holdout8-slowstart6-3srv-http': [
    clientErrors,
    stateTime('kill -9 s3 (3 s) → s3 DOWN', 's3', 'DOWN', 3),
    // The first "is UP" after the restart is the check's; the end of the slowstart logs another.
    stateTime('restart s3 (9 s) → s3 UP', 's3', 'UP', 9),
    s3ShareAfterUp(0, 2),
    s3ShareAfterUp(2, 4),
    s3ShareAfterUp(4, 6),
    s3ShareAfterUp(6, 9),
  ],
  'haproxy-holdout8-stop-maxconn4-http': hungS1Figures(),
};

// ---------------------------------------------------------------- nginx

/** A nginx figure over one twin (the round-8 nginx run has one). */
export const NGINX8: Record<string, Array<Figure7<NginxRec7>>> = {
  'nginx-holdout8-quit-tunnel-wst3': [
    {
      figure: 'tunnel A closed by nginx (s; twin: generation 1 exits at its worker_shutdown_timeout)',
      tolerance: SECONDS,
      sim: (runs) => exitOf(runs[0], 1),
      real: (d) => d.summary.tunnels.A.closedS,
    },
    {
      figure: 'nginx master gone (s; twin: generation 1 exits)',
      tolerance: SECONDS,
      sim: (runs) => exitOf(runs[0], 1),
      real: (d) => d.summary.masterExitedS,
    },
    {
      figure: 'tunnel A ended without a Close frame (EOF)',
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => r.figures['ws_close_1006.total'] ?? 0),
      real: (d) => (d.summary.tunnels.A.clientSaw === 'eof' ? 1 : 0),
    },
    {
      figure: 'tunnel B (4 s) refused (s)',
      tolerance: SECONDS,
      sim: (runs) => runs[0].events.find((l) => l.record.kind === 'lb.connect_failed')?.t ?? null,
      real: (d) => d.summary.tunnels.B.closedS,
    },
  ],
};

// ---------------------------------------------------------------- second batch (nginx upstream race)

/** A twin over seeds 1-5 with its clients' method set (the recording's GET and POST halves). */
export function twinWithMethod(name: string, method: 'GET' | 'POST'): RunResult[] {
  const file = `calibration/scenarios/${name}.yaml`;
  const parsed = namedScenario(loadScenario(file, ScenarioSchema));
  const http = parsed.clients.http;
  if (!http) throw new Error(`${file}: no clients.http`);
  const scenario = { ...parsed, clients: { ...parsed.clients, http: { ...http, method } } };
  return SEEDS7.map((seed) => runScenario(scenario, { seed, file }));
}

/** A figure of the upstream race: the twin's GET and POST runs, the recording's summary. */
export interface RaceFigure8 {
  figure: string;
  tolerance: Tolerance;
  sim: (get: RunResult[], post: RunResult[]) => number | null;
  real: (d: NginxRec7) => number | null;
}

const requestsOf = (runs: RunResult[]): number => overSeeds(runs, (r) => r.figures['requests.total'] ?? 0);
const failedOf = (runs: RunResult[]): number =>
  overSeeds(runs, (r) => (r.figures['errors.total'] ?? 0) + (r.figures['responses_5xx.total'] ?? 0));
const newConnShare = (runs: RunResult[]): number =>
  overSeeds(runs, (r) => (r.figures['upstream_connects.total'] ?? 0) / (r.figures['requests.total'] ?? 1));
/** A recorded group's requests that did not end 200. */
const notOk = (g: { statuses: Record<string, number> }): number =>
  Object.entries(g.statuses).reduce((a, [k, v]) => a + (k === '200' ? 0 : v), 0);

export const NGINX8B: Record<string, RaceFigure8[]> = {
  'nginx-holdout8-upstream-race-ka5': [
    {
      figure: 'requests (GET + POST, 38 s)',
      tolerance: COUNT,
      sim: (get, post) => requestsOf(get) + requestsOf(post),
      real: (d) => d.summary.groups.get.requests + d.summary.groups.post.requests,
    },
    {
      // The cycles whose think outlasted node's 6-s idle timer: the cached connection is gone.
      figure: 'requests that opened a new upstream connection, per request',
      tolerance: SHARE,
      sim: (get, post) => (newConnShare(get) + newConnShare(post)) / 2,
      real: (d) => d.summary.backendConnections / (d.summary.groups.get.requests + d.summary.groups.post.requests),
    },
    {
      // A GET that meets the app's FIN on a cached connection is retried on a new one.
      figure: 'GET requests failed (not 200)',
      tolerance: COUNT,
      sim: (get) => failedOf(get),
      real: (d) => notOk(d.summary.groups.get),
    },
  ],
};
