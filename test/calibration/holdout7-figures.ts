/**
 * Held-out validation, round 7 (session 20, hold7): the figures compared, computed the same way on
 * a twin's runs (the blind prediction) and on a recording. Runs: calibration/haproxy/holdout7.mjs,
 * calibration/nginx/holdout7-experiments.mjs, calibration/experiments.mjs HOLDOUT7_KERNEL_EXPERIMENTS;
 * twins calibration/scenarios/<name>*.yaml; predictions calibration/data/holdout7-predictions.json.
 */
import type { RunResult } from '../../sim/result.js';
import { runScenario } from '../../sim/run-scenario.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { namedScenario } from '../../sim/scenario/load-for-run.js';
import { ScenarioSchema } from '../../sim/scenario/schema.js';
import { valueAt } from '../model/helpers.js';
import { recordsOf } from '../trace/records-of.js';
import { overSeeds, type Tolerance, totalIn } from './heldout-table.js';

/** Seeds of every prediction (means, or medians for the kernel rows as calibration/lib/holdout.mjs takes them). */
export const SEEDS7 = [1, 2, 3, 4, 5];

/** A figure: its name, its tolerance, and how a twin's runs and a recording give it. */
export interface Figure7<D> {
  figure: string;
  tolerance: Tolerance;
  sim: (runs: RunResult[]) => number | null;
  real: (d: D) => number | null;
}

/** A twin (calibration/scenarios/<name>.yaml), `lb.uptime` set when given, over seeds 1-5. */
export function twin7(name: string, uptime?: number): RunResult[] {
  const file = `calibration/scenarios/${name}.yaml`;
  const parsed = namedScenario(loadScenario(file, ScenarioSchema));
  const scenario = uptime === undefined ? parsed : { ...parsed, lb: { ...parsed.lb, uptime } };
  return SEEDS7.map((seed) => runScenario(scenario, { seed, file }));
}

// ---------------------------------------------------------------- HAProxy

/** What a round-7 HAProxy recording holds (calibration/haproxy/lab.mjs, summary.mjs). */
export interface HaproxyRec7 {
  stamp: { haproxySpawnedT?: number | null; load: string; haproxyCfg?: string };
  summary: { outcomes: Record<string, number>; haproxyRedispatched: number };
  events: { haproxyMessages: Array<{ t: number; line: string }>; actions?: Array<{ op: string; t: number }> };
  /** [start, end, server, status, termination, retries, redispatched, Tw, Tc, Tt] */
  haproxyLog: Array<[number, number, string, string, string, number, number, number, number, number]>;
}

/** HAProxy's "Server be/<s> is DOWN|UP" line (its own, not the `[WARNING]` copy on stderr): its time. */
export function stateAt(d: HaproxyRec7, server: string, state: 'DOWN' | 'UP'): number | null {
  const m = d.events.haproxyMessages.find((x) => x.line.startsWith(`Server be/${server} is ${state}`));
  return m ? m.t : null;
}

/** The recorder's client outcomes other than ok. */
export const failures = (d: HaproxyRec7): number =>
  Object.entries(d.summary.outcomes).reduce((a, [k, v]) => a + (k === 'ok' ? 0 : v), 0);

/** The twin's first hc.down / hc.up of `server` (seed 1: the checks do not draw), s. */
export function simState(runs: RunResult[], server: string, kind: 'hc.down' | 'hc.up'): number | null {
  const r = recordsOf(runs[0], kind).find((x) => x.backend === server);
  return r ? r.t : null;
}

/** Attempts on `server` that got no response (every one met the dead server), mean over seeds. */
const failedOn = (runs: RunResult[], server: string): number =>
  overSeeds(runs, (r) => totalIn(r, 'attempts', 0, 1e9, server) - totalIn(r, 'goodput', 0, 1e9, server));

export const COUNT: Tolerance = { count: true };
export const SECONDS: Tolerance = { seconds: 1 };
export const SHARE: Tolerance = { share: true };
export const minus = (x: number | null, t0: number): number | null => (x === null ? null : x - t0);

export const clientErrors: Figure7<HaproxyRec7> = {
  figure: 'client errors (timeouts, resets, 5xx)',
  tolerance: COUNT,
  sim: (runs) => overSeeds(runs, (r) => r.figures['errors.total'] ?? 0),
  real: failures,
};

/** How long after `at` s HAProxy logged `server` DOWN or UP (the twin: its first hc.down / hc.up). */
export function stateTime(figure: string, server: string, state: 'DOWN' | 'UP', at: number): Figure7<HaproxyRec7> {
  return {
    figure,
    tolerance: SECONDS,
    sim: (runs) => minus(simState(runs, server, state === 'DOWN' ? 'hc.down' : 'hc.up'), at),
    real: (d) => minus(stateAt(d, server, state), at),
  };
}

export const HAPROXY7: Record<string, Array<Figure7<HaproxyRec7>>> = {
  'haproxy-holdout7-kill-redispatch-3srv-http': [
    clientErrors,
    {
      // Each stream whose roundrobin turn is the dead s2 fails once there and is load-balanced
      // again at once (one failed attempt, log "+1").
      figure: 'redispatched streams (log "+"; twin: failed attempts on s2)',
      tolerance: COUNT,
      sim: (runs) => failedOn(runs, 's2'),
      real: (d) => d.summary.haproxyRedispatched,
    },
    stateTime('kill -9 s2 (5 s) → s2 DOWN', 's2', 'DOWN', 5),
    stateTime('restart s2 (11 s) → s2 UP', 's2', 'UP', 11),
  ],
  'haproxy-holdout7-kill-source-redispatch-3srv-http': [
    clientErrors,
    {
      // Every failed connect to the dead s3 is followed by a retry: the log's %rc summed.
      figure: 'failed connects to s3 (log %rc summed; twin: failed attempts on s3)',
      tolerance: COUNT,
      sim: (runs) => failedOn(runs, 's3'),
      real: (d) => d.haproxyLog.reduce((a, l) => a + Number(l[5]), 0),
    },
    {
      figure: 'redispatched streams: longest wait (log Tw max; twin: latency max)',
      tolerance: SECONDS,
      sim: (runs) => Math.max(...runs.map((r) => r.figures['open_loop_latency.max'] ?? 0)),
      real: (d) => {
        const waits = d.haproxyLog.filter((l) => l[6] === 1).map((l) => l[7] / 1000);
        return waits.length ? Math.max(...waits) : 0;
      },
    },
    stateTime('kill -9 s3 (5 s) → s3 DOWN', 's3', 'DOWN', 5),
  ],
  'haproxy-holdout7-hang-fastinter-http': [
    clientErrors,
    stateTime('SIGSTOP s1 (4.5 s) → s1 DOWN', 's1', 'DOWN', 4.5),
    stateTime('SIGCONT s1 (13 s) → s1 UP', 's1', 'UP', 13),
  ],
};

/** HAProxy's start before t0 at which the predictions are tabled: 0.05 … 2 s. */
export const UPTIMES7 = Array.from({ length: 40 }, (_, i) => Math.round((i + 1) * 50) / 1000);
/** A recording's stated start (haproxy-restated.ts statedUptime()) on the table's 50-ms grid. */
export const uptimeKey = (uptime: number): string =>
  (Math.min(2, Math.max(0.05, Math.round(uptime * 20) / 20)) as number).toFixed(3);

// ---------------------------------------------------------------- nginx

/** What a round-7 nginx recording holds (calibration/nginx/experiment.mjs + the experiment's summarise()). */
export interface NginxRec7 {
  // biome-ignore lint/suspicious/noExplicitAny: the recorder's summaries differ per experiment
  summary: any;
  perSecond: Array<{ s: number } & Record<string, number>>;
  actions: Array<{ signal: string; s: number; tookMs: number }>;
}

/** A recorded per-second count (0 when the second has none). */
const perSecond = (d: NginxRec7, s: number, key: string): number => d.perSecond.find((p) => p.s === s)?.[key] ?? 0;

/** When generation `g` of the twin's nginx exited (s). */
export function exitOf(r: RunResult, g: number): number | null {
  const line = r.events.find((l) => l.record.kind === 'nginx.generation_exit' && l.record.generation === g);
  return line ? line.t : null;
}

/** A nginx figure: which twin (`<run>-<part>`) gives it. */
export interface NginxFigure7 extends Figure7<NginxRec7> {
  part: string;
}

export const NGINX7: Record<string, NginxFigure7[]> = {
  'nginx-holdout7-keepalive-kt4-pm50': [
    ...(['below', 'above'] as const).flatMap((g): NginxFigure7[] => [
      {
        part: g,
        figure: `${g}: requests (24 s)`,
        tolerance: COUNT,
        sim: (runs) => overSeeds(runs, (r) => r.figures['requests.total'] ?? 0),
        real: (d) => d.summary.groups[g].requests,
      },
      {
        part: g,
        figure: `${g}: failed requests (EOF / reset)`,
        tolerance: COUNT,
        sim: (runs) => overSeeds(runs, (r) => r.figures['errors.total'] ?? 0),
        real: (d) => {
          const o = d.summary.groups[g].outcomes as Record<string, number>;
          return Object.entries(o).reduce((a, [k, v]) => a + (k === 'ok' || k === 'closedFirst' ? 0 : v), 0);
        },
      },
      {
        // The cycles after which nginx's FIN came first, per request (as nginx-holdout's pm20 row).
        part: g,
        figure: `${g}: think cycles ended by nginx's FIN, per request`,
        tolerance: SHARE,
        sim: (runs) =>
          overSeeds(runs, (r) => (r.figures['closed_fin.total'] ?? 0) / (r.figures['requests.total'] ?? 1)),
        real: (d) => d.summary.groups[g].outcomes.closedFirst / d.summary.groups[g].requests,
      },
    ]),
  ],
  'nginx-holdout7-reload-w3-ka6': [
    {
      part: 'idle',
      figure: 'idle: closed by nginx in (6, 7] s (their keepalive timer)',
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => valueAt(r, 'closed_fin', 7)),
      real: (d) => perSecond(d, 7, 'close.idle.idle.eof'),
    },
    {
      part: 'idle',
      figure: 'idle: closed by nginx in (7, 8] s (timer, then the QUIT)',
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => valueAt(r, 'closed_fin', 8)),
      real: (d) => perSecond(d, 8, 'close.idle.idle.eof'),
    },
    {
      part: 'idle',
      figure: "idle: the old workers' QUIT (twin: generation 1 exits, nothing in flight) (s)",
      tolerance: SECONDS,
      sim: (runs) => exitOf(runs[0], 1),
      real: (d) => d.summary.oldWorkersQuitS,
    },
    {
      part: 'busy',
      figure: 'busy: requests per second (0-11 s)',
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => (r.figures['requests.total'] ?? 0) / 11),
      real: (d) => d.summary.busyRate,
    },
    {
      part: 'busy',
      figure: 'busy: failed requests',
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => r.figures['errors.total'] ?? 0),
      real: (d) => d.summary.busyFailures.length,
    },
    {
      part: 'busy',
      figure: 'busy: connections closed by nginx in (7, 8] s (the QUIT)',
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => valueAt(r, 'closed_fin', 8)),
      real: (d) => perSecond(d, 8, 'close.busy.busy.eof') + perSecond(d, 8, 'close.busy.idle.eof'),
    },
    {
      part: 'busy',
      figure: 'busy: old generation gone (s)',
      tolerance: SECONDS,
      sim: (runs) => exitOf(runs[0], 1),
      real: (d) =>
        Math.max(
          ...d.summary.generations
            .filter((g: { shuttingDownFromS: number | null }) => g.shuttingDownFromS !== null)
            .map((g: { goneS: number }) => g.goneS),
        ),
    },
  ],
};
