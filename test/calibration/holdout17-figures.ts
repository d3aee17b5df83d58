/**
 * Held-out validation, round 17 (session 25, hold17): the figures compared, computed the same way on
 * a twin's runs (the blind prediction) and on a recording. Two of session 24's rules that no
 * recording had checked:
 *
 * - 7d37bcd, HAProxy 2.6 mode http: an idle client connection closes at min(`timeout client`,
 *   `timeout http-keep-alive`, else `timeout http-request`), never without `timeout client`
 *   (src/mux_h1.c h1_init / h1_refresh_timeout / h1_set_idle_expiration). Recorder
 *   calibration/haproxy/holdout17.mjs (closes.mjs's idle client: 20 connections 50 ms apart, one GET
 *   each, idle until HAProxy closes them, no reconnect).
 * - 195730d, nginx 1.22.1: an idle cached upstream connection is closed by nginx's timer at the
 *   upstream block's `keepalive_timeout` (ngx_http_upstream_free_keepalive_peer → ngx_add_timer,
 *   ngx_http_upstream_keepalive_close_handler). Recorder calibration/nginx/holdout17.mjs.
 *
 * Twins calibration/scenarios/<run>.yaml; predictions calibration/data/holdout17-predictions.json
 * (which keeps each figure's tolerance). Every tolerance is stated here, before any recording:
 * counts ±10 % (±2 near zero); the idle time before a close ±0.25 s (an eighth of the 2 s the
 * smallest rule moves it by; the twins sample every 10 ms).
 */
import type { RunResult } from '../../sim/result.js';
import { series } from '../model/helpers.js';
import { overSeeds, type Tolerance, totalIn } from './heldout-table.js';
import type { Figure14 } from './holdout14-figures.js';

const COUNT: Tolerance = { count: true };
const IDLE: Tolerance = { seconds: 0.25 };

/** A recording of calibration/haproxy/holdout17.mjs (closes.mjs runCloses()). */
export interface ClosesRec17 {
  stamp: { sourceCommit?: { commit?: string; dirty?: boolean } | null };
  /** closes-worker.mjs idle(): `close <ms since start> <slot> <how> <idle ms since the response | ->`, … */
  clientLines: string[];
}

/** A recording of calibration/nginx/holdout17.mjs (experiment.mjs: times `s` from t0, the client's start). */
export interface NginxRec17 {
  stamp: { sourceCommit?: { commit?: string; dirty?: boolean } | null };
  backendEvents: Array<{ ev: string; s: number; idleMs?: number }>;
}

const median = (xs: number[]): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The mean over seeds, or null when any seed has none (no close at all). */
const overSeedsOrNone = (runs: RunResult[], f: (r: RunResult) => number | null): number | null => {
  const xs = runs.map(f);
  return xs.some((x) => x === null) ? null : overSeeds(runs, (r) => f(r) as number);
};

/** Each event's sample time, once per count: a counter series' increments, or a gauge's rises. */
function eventTimes(r: RunResult, name: string, entity: string, gauge: boolean): number[] {
  const out: number[] = [];
  let prev = 0;
  for (const [t, v] of series(r, name, entity)) {
    const n = gauge ? v - prev : v;
    prev = v;
    for (let k = 0; k < n; k++) out.push(t);
  }
  return out;
}

/**
 * The twin's idle time before each close, median: the k-th close paired with the k-th answer (every
 * connection is answered, cached or left idle, and closed after the same limit, so in the same
 * order); null without a close.
 */
function idleBeforeClose(closes: number[], answers: number[]): number | null {
  const n = Math.min(closes.length, answers.length);
  return median(Array.from({ length: n }, (_, k) => closes[k] - answers[k]));
}

// ---------------------------------------------------------------- HAProxy (7d37bcd)

/** The client's `close` lines: [t s, how, idle s | null]. */
const closesOf = (d: ClosesRec17): Array<[number, string, number | null]> =>
  d.clientLines
    .map((l) => l.split(' '))
    .filter((f) => f[0] === 'close')
    .map((f) => [Number(f[1]) / 1000, f[3], f[4] === undefined || f[4] === '-' ? null : Number(f[4]) / 1000]);

/** HAProxy's closes (the client read its FIN: `eof`) in (from, to] s; the twin's closed_fin there. */
const haproxyClosesIn = (from: number, to: number, what: string): Figure14<ClosesRec17> => ({
  figure: `idle connections HAProxy closed in (${from}, ${to}] s (client: FIN read; twin: closed_fin)${what}`,
  tolerance: COUNT,
  sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'closed_fin', from, to)),
  real: (d) => closesOf(d).filter(([t, how]) => how === 'eof' && t > from && t <= to).length,
});

/** How long after its answer HAProxy closed each idle connection, median (s); none without a close. */
const haproxyIdleBeforeClose = (what: string): Figure14<ClosesRec17> => ({
  figure: `idle time before HAProxy's close, median (s)${what}`,
  tolerance: IDLE,
  sim: (runs) =>
    overSeedsOrNone(runs, (r) =>
      idleBeforeClose(eventTimes(r, 'closed_fin', 'total', false), eventTimes(r, 'responses_2xx', 'total', false)),
    ),
  real: (d) =>
    median(
      closesOf(d)
        .filter(([, how, idle]) => how === 'eof' && idle !== null)
        .map(([, , idle]) => idle as number),
    ),
});

const CLIENT2_KA5 = 'haproxy-holdout17-idle-client2-ka5-http';
const CLIENT6_REQ2 = 'haproxy-holdout17-idle-client6-req2-http';
const KA2_NOCLIENT = 'haproxy-holdout17-idle-ka2-noclient-http';

const AT_2S = ' (timeout client 2s under http-keep-alive 5s: each closed 2 s after its answer, 2.0-2.95 s)';
const NONE_AFTER_4S = ' (every connection closed by 3 s)';
const REQ_2S = ' (no http-keep-alive: http-request 2s under timeout client 6s, 2.0-2.95 s)';
const NEVER = ' (no timeout client: no timeout task, never closed)';

export const HAPROXY17: Record<string, Array<Figure14<ClosesRec17>>> = {
  [CLIENT2_KA5]: [
    haproxyClosesIn(0, 4, AT_2S),
    haproxyClosesIn(4, 10, NONE_AFTER_4S),
    haproxyIdleBeforeClose(' (min(timeout client 2s, http-keep-alive 5s))'),
  ],
  [CLIENT6_REQ2]: [
    haproxyClosesIn(0, 4, REQ_2S),
    haproxyClosesIn(4, 10, NONE_AFTER_4S),
    haproxyIdleBeforeClose(' (min(timeout client 6s, http-request 2s))'),
  ],
  [KA2_NOCLIENT]: [haproxyClosesIn(0, 10, NEVER), haproxyIdleBeforeClose(NEVER)],
};

// ---------------------------------------------------------------- nginx (195730d)

const NGINX_KA8 = 'nginx-holdout17-upstream-ka8-t2s-think3s';
/** The twin's VM (its one backend): nginx and the app. */
const VM = 'nginx';

/** The backend's closes of kept-alive upstream connections (backend.mjs up-idle-close), in (from, to] s. */
const upIdleCloses = (d: NginxRec17, from = -Infinity, to = Infinity) =>
  d.backendEvents.filter((e) => e.ev === 'up-idle-close' && e.s > from && e.s <= to);

/** The VM's TIME_WAIT gauge at the last sample at or before `t` (nginx closes first: its side holds them). */
const timeWaitAt = (r: RunResult, t: number): number =>
  series(r, 'time_wait', VM)
    .filter(([s]) => s <= t + 1e-9)
    .at(-1)?.[1] ?? 0;

export const NGINX17: Record<string, Array<Figure14<NginxRec17>>> = {
  [NGINX_KA8]: [
    {
      figure:
        'idle time before nginx closed a cached upstream connection, median (s) (upstream keepalive_timeout 2s; ' +
        'app: up-idle-close idleMs; twin: the VM’s TIME_WAIT rises against the answers)',
      tolerance: IDLE,
      sim: (runs) =>
        overSeedsOrNone(runs, (r) =>
          idleBeforeClose(eventTimes(r, 'time_wait', VM, true), eventTimes(r, 'responses_2xx', 'total', false)),
        ),
      real: (d) => median(upIdleCloses(d).map((e) => (e.idleMs as number) / 1000)),
    },
    {
      figure:
        'cached upstream connections nginx closed after the clients’ last requests, in (12, 16] s (the last ' +
        'round’s 8, answered by ≈ 11.1 s; app: up-idle-close; twin: the VM’s TIME_WAIT gained)',
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => timeWaitAt(r, 16) - timeWaitAt(r, 12)),
      real: (d) => upIdleCloses(d, 12, 16).length,
    },
    {
      figure: 'upstream connections nginx opened (the app’s accepts) (8 per round: the cached ones idle past 2 s)',
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => r.figures['upstream_connects.total'] ?? 0),
      real: (d) => d.backendEvents.filter((e) => e.ev === 'up-conn').length,
    },
  ],
};

/**
 * Rows whose 0 or none IS the rule tested (markZeros keeps them as mechanism rows), by
 * `<run> / <figure>`, with the old model's figure.
 */
export const MECHANISM_ZEROS17: Record<string, string> = {
  [`${CLIENT2_KA5} / idle connections HAProxy closed in (4, 10] s (client: FIN read; twin: closed_fin)${NONE_AFTER_4S}`]:
    '7d37bcd: without it http-keep-alive 5s replaces timeout client, all 20 closed at 5.0-5.95 s',
  [`${CLIENT6_REQ2} / idle connections HAProxy closed in (4, 10] s (client: FIN read; twin: closed_fin)${NONE_AFTER_4S}`]:
    '7d37bcd: without it (no http-request in the model) timeout client 6s closes all 20 at 6.0-6.95 s',
  [`${KA2_NOCLIENT} / idle connections HAProxy closed in (0, 10] s (client: FIN read; twin: closed_fin)${NEVER}`]:
    '7d37bcd: without it http-keep-alive 2s closes all 20 at 2.0-2.95 s',
  [`${KA2_NOCLIENT} / idle time before HAProxy's close, median (s)${NEVER}`]:
    '7d37bcd: without it 2 s (http-keep-alive alone)',
};

// ---------------------------------------------------------------- nginx.stop_timeout (d563237), batch 17B

/** A recording of the 17B run (experiment.mjs: the client's `req` events, the harness's actions). */
export interface NginxStopRec17 {
  stamp: { sourceCommit?: { commit?: string; dirty?: boolean } | null };
  clientEvents: Array<{ ev: string; s: number; out?: string; status?: number }>;
  actions: Array<{ signal: string; s: number }>;
}

const STOP_SLOW8 = 'nginx-holdout17b-service-stop-slow8s';
/** The twin's QUIT: the VM's graceful terminate at 1 s. */
const TWIN_QUIT = 1;

/** The recorded requests (client.mjs `req`), the client's own closes left out. */
const stopReqs = (d: NginxStopRec17) => d.clientEvents.filter((e) => e.ev === 'req' && e.out !== 'client-closed');
/** When the harness sent `nginx -s quit` (s from t0). */
const quitAt = (d: NginxStopRec17): number => d.actions.find((a) => a.signal === 'quit')?.s ?? Number.NaN;
const cutReqs = (d: NginxStopRec17) => stopReqs(d).filter((e) => e.out !== 'ok');

export const NGINX17B: Record<string, Array<Figure14<NginxStopRec17>>> = {
  [STOP_SLOW8]: [
    {
      figure: 'requests answered 200 (of the 8 GET /slow 8000 ms in flight at the QUIT)',
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => r.figures['responses_2xx.total'] ?? 0),
      real: (d) => stopReqs(d).filter((e) => e.out === 'ok' && e.status === 200).length,
    },
    {
      figure: 'requests cut with no answer (EOF or reset: nginx’s fast shutdown after the unit’s SIGTERM)',
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'errors', 0, 12)),
      real: (d) => cutReqs(d).length,
    },
    {
      figure:
        'when they were cut, after the QUIT, median (s) (nginx.stop_timeout 5s; real: from the harness’s nginx -s quit)',
      tolerance: IDLE,
      sim: (runs) =>
        overSeedsOrNone(runs, (r) => {
          const t = median(eventTimes(r, 'errors', 'total', false));
          return t === null ? null : t - TWIN_QUIT;
        }),
      real: (d) => median(cutReqs(d).map((e) => e.s - quitAt(d))),
    },
  ],
};

/** 17B's rows whose 0 IS the rule (d563237): without it the QUIT lets the 8 requests end at 8 s. */
export const MECHANISM_ZEROS17B: Record<string, string> = {
  [`${STOP_SLOW8} / requests answered 200 (of the 8 GET /slow 8000 ms in flight at the QUIT)`]:
    'd563237: without it nginx’s QUIT runs unbounded, all 8 answered at ≈ 8 s',
};
