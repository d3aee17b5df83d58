/**
 * Held-out validation, round 19 (session 26, hold19): the figures compared, computed the same way on
 * a twin's runs (the blind prediction) and on a recording. 7ce2fef, nginx 1.22.1: a WebSocket upgrade
 * takes an idle connection from its worker's upstream keep-alive cache as any request does
 * (src/http/modules/ngx_http_upstream_keepalive_module.c ngx_http_upstream_get_keepalive_peer:
 * pc->cached, no connect), and its 101 takes that connection out of the cache for good
 * (ngx_http_proxy_process_header: u->keepalive = 0): the next plain request connects anew. Recorder
 * calibration/nginx/holdout19.mjs (the rule's run and its control, no upstream keepalive).
 * 8cf91a5, nginx 1.22.1: nginx's own 500 for want of a worker connection (ngx_event_connect_peer:
 * ngx_get_connection NULL) ends keep-alive (ngx_http_special_response_handler clears r->keepalive
 * for 500) and nginx closes the client connection behind it (ngx_http_finalize_connection); the
 * client's next request comes on a new connection. Recorder: holdout19.mjs wc500Run.
 * 610a0bd, HAProxy 2.6: a check that passes while its server is in maintenance still counts (src/check.c
 * set_server_check_status() raises check->health from the 0 maint set), so srv_getinter() gives
 * fastinter (unset: inter), not downinter, and the paused task's grid, which `state ready` keeps,
 * follows. Recorder calibration/haproxy/holdout19.mjs; its predictions are a table over HAProxy's
 * start before t0 (`lb.uptime`), read at the start the recording states (round 7's).
 *
 * Twins calibration/scenarios/<run>.yaml; predictions calibration/data/holdout19-predictions.json
 * (which keeps each figure's tolerance). Every tolerance is stated here, before any recording:
 * counts ±10 % (±2 near zero); the time of the first upstream connect after an upgrade ±0.25 s (half
 * the 0.5 s the rule moves it by, from the upgrade to the next plain request; the recorder's loop
 * drifts ≈ 2 ms a request, the twins sample every 10 ms); the time of s1's DOWN after `state ready`
 * ±0.25 s (a quarter of the 1 s the rule moves it by; the harness's actions land within ≈ 10 ms).
 */
import type { RunResult } from '../../sim/result.js';
import { series } from '../model/helpers.js';
import { recordsOf } from '../trace/records-of.js';
import { overSeeds, type Tolerance, totalIn } from './heldout-table.js';
import type { HaproxyRec8 } from './holdout8-figures.js';
import type { Figure14 } from './holdout14-figures.js';

const COUNT: Tolerance = { count: true };
const QUARTER: Tolerance = { seconds: 0.25 };

/** A recording of calibration/nginx/holdout19.mjs (experiment.mjs: times `s` from t0, the client's start). */
export interface NginxRec19 {
  stamp: { sourceCommit?: { commit?: string; dirty?: boolean } | null };
  /** backend.mjs: up-conn (a connection accepted), up-open / up-close (a tunnel). */
  backendEvents: Array<{ ev: string; s: number }>;
  /** client.mjs: req (status, out), conn-close (how: eof when the client read nginx's FIN first). */
  clientEvents: Array<{ ev: string; s: number; status?: number | null; out?: string; how?: string }>;
}

/** The mean over seeds, or null when any seed has none. */
const overSeedsOrNone = (runs: RunResult[], f: (r: RunResult) => number | null): number | null => {
  const xs = runs.map(f);
  return xs.some((x) => x === null) ? null : overSeeds(runs, (r) => f(r) as number);
};

/** Each event's sample time, once per count: a counter series' increments, or a gauge's rises. */
function eventTimes(r: RunResult, name: string, gauge: boolean): number[] {
  const out: number[] = [];
  let prev = 0;
  for (const [t, v] of series(r, name, 'total')) {
    const n = gauge ? v - prev : v;
    prev = v;
    for (let k = 0; k < n; k++) out.push(t);
  }
  return out;
}

/** The app's accepts (backend.mjs up-conn) after `from` s: the first one's time (s from t0); the twin's upstream_connects. */
const firstConnectAfter = (from: number, what: string): Figure14<NginxRec19> => ({
  figure: `first upstream connection the app accepted after ${from} s (s from t0; app: up-conn; twin: upstream_connects)${what}`,
  tolerance: QUARTER,
  sim: (runs) => overSeedsOrNone(runs, (r) => eventTimes(r, 'upstream_connects', false).find((t) => t > from) ?? null),
  real: (d) => d.backendEvents.find((e) => e.ev === 'up-conn' && e.s > from)?.s ?? null,
});

const connectsIn = (from: number, to: number, what: string): Figure14<NginxRec19> => ({
  figure: `upstream connections the app accepted in (${from}, ${to}] s (app: up-conn; twin: upstream_connects)${what}`,
  tolerance: COUNT,
  sim: (runs) =>
    overSeeds(runs, (r) => eventTimes(r, 'upstream_connects', false).filter((t) => t > from && t <= to).length),
  real: (d) => d.backendEvents.filter((e) => e.ev === 'up-conn' && e.s > from && e.s <= to).length,
});

/** The upgrades the app answered 101 (backend.mjs up-open); the twin's ws_sessions rises. */
const tunnelsOpened: Figure14<NginxRec19> = {
  figure: 'WebSocket tunnels the app opened (app: up-open; twin: ws_sessions rises)',
  tolerance: COUNT,
  fixed: "the input's two upgrades (3.5 s and 6.5 s); the row shows they reached the app",
  sim: (runs) => overSeeds(runs, (r) => eventTimes(r, 'ws_sessions', true).length),
  real: (d) => d.backendEvents.filter((e) => e.ev === 'up-open').length,
};

// ---------------------------------------------------------------- 8cf91a5: nginx's own 500 closes

/** nginx's 500s the client read in (from, to] s (client.mjs req, status 500); the twin's responses_5xx. */
const fives500In = (from: number, to: number, what: string): Figure14<NginxRec19> => ({
  figure: `nginx's 500 answers in (${from}, ${to}] s (client: req status 500; twin: responses_5xx)${what}`,
  tolerance: COUNT,
  sim: (runs) =>
    overSeeds(runs, (r) => eventTimes(r, 'responses_5xx', false).filter((t) => t > from && t <= to).length),
  real: (d) => d.clientEvents.filter((e) => e.ev === 'req' && e.status === 500 && e.s > from && e.s <= to).length,
});

/** Client connections nginx closed first in (from, to] s (client.mjs conn-close how eof); the twin's closed_fin. */
const nginxClosesIn = (from: number, to: number, what: string): Figure14<NginxRec19> => ({
  figure: `client connections nginx closed (FIN) in (${from}, ${to}] s (client: conn-close eof; twin: closed_fin)${what}`,
  tolerance: COUNT,
  sim: (runs) => overSeeds(runs, (r) => eventTimes(r, 'closed_fin', false).filter((t) => t > from && t <= to).length),
  real: (d) => d.clientEvents.filter((e) => e.ev === 'conn-close' && e.how === 'eof' && e.s > from && e.s <= to).length,
});

/** The 4 slow requests' answers in (from, to] s (client.mjs req status 200); the twin's responses_2xx. */
const answered200In = (from: number, to: number): Figure14<NginxRec19> => ({
  figure: `200 answers in (${from}, ${to}] s (client: req status 200; twin: responses_2xx) (the 4 requests in flight, 5 s each)`,
  tolerance: COUNT,
  fixed: 'the input: 4 requests of 5 s sent at 0-15 ms',
  sim: (runs) =>
    overSeeds(runs, (r) => eventTimes(r, 'responses_2xx', false).filter((t) => t > from && t <= to).length),
  real: (d) => d.clientEvents.filter((e) => e.ev === 'req' && e.status === 200 && e.s > from && e.s <= to).length,
});

export const WC_500 = 'nginx-holdout19-wc11-500-close';

export const WS_CACHED = 'nginx-holdout19-ws-upgrade-cached-ka8';
export const WS_CONTROL = 'nginx-holdout19-ws-upgrade-noka-control';

/** Which rule each run tests (the old model of its rows: `git archive <rule>^`). */
export const RULE19: Record<string, string> = {
  [WS_CACHED]: '7ce2fef',
  [WS_CONTROL]: '7ce2fef',
  [WC_500]: '8cf91a5',
  'haproxy-holdout19-maint-check-passes-downinter3-2srv-http': '610a0bd',
};

export const NGINX19: Record<string, Array<Figure14<NginxRec19>>> = {
  [WS_CACHED]: [
    firstConnectAfter(
      3.4,
      ' (the upgrade at 3.5 s takes the cached connection: the plain request at ≈ 4 s finds the cache empty)',
    ),
    firstConnectAfter(6.4, ' (the same at 6.5 s: the request at ≈ 7 s connects)'),
    connectsIn(0, 9.5, ' (the first request, and one after each upgrade)'),
    tunnelsOpened,
  ],
  [WS_CONTROL]: [
    firstConnectAfter(3.4, ' (no upstream keepalive: the upgrade at 3.5 s connects)'),
    firstConnectAfter(6.4, ' (the upgrade at 6.5 s connects)'),
    connectsIn(0, 9.5, ' (a connection per request, 9, and per upgrade, 2)'),
    tunnelsOpened,
  ],
  [WC_500]: [
    fives500In(0, 4.8, " (the 5th connection's request, then its next every 500 ms on a new connection: ≈ 10)"),
    nginxClosesIn(0, 4.8, ' (nginx closes the connection behind each 500)'),
    answered200In(4.8, 5.5),
  ],
};

/** Rows whose 0 (or none) IS the rule tested: none (every figure is a time or a count above zero). */
export const MECHANISM_ZEROS19: Record<string, string> = {};

// ---------------------------------------------------------------- HAProxy (610a0bd)

export const MAINT_CHECK = 'haproxy-holdout19-maint-check-passes-downinter3-2srv-http';

/** `state ready` of s1 through the runtime API (lab.mjs cmd), s from t0. */
const READY_AT = 12.006;

/** HAProxy's first "Server be/s1 is DOWN" after `state ready`, s after it; the twin's first hc.down after it (seed 1: the checks do not draw). */
const downAfterReady: Figure14<HaproxyRec8> = {
  figure:
    "s1 DOWN after `state ready` at 12.006 s (s; log-health-checks 'Server be/s1 is DOWN'; twin: hc.down) (the first " +
    'check after ready meets the killed s1: 13.2 s on the grid of the check that passed at 5.2 s, + inter)',
  tolerance: QUARTER,
  sim: (runs) => {
    const down = recordsOf(runs[0], 'hc.down').find((x) => x.backend === 's1' && x.t > READY_AT);
    return down ? down.t - READY_AT : null;
  },
  real: (d) => {
    const m = d.events.haproxyMessages.find((x) => x.line.startsWith('Server be/s1 is DOWN') && x.t > READY_AT);
    return m ? m.t - READY_AT : null;
  },
};

/** s1 DOWN before the ready (none: one failed check at most before the maint, fall 3). */
const downBeforeReady: Figure14<HaproxyRec8> = {
  figure: "s1 DOWN lines before `state ready` (log-health-checks 'Server be/s1 is DOWN'; twin: hc.down)",
  tolerance: COUNT,
  sim: (runs) => recordsOf(runs[0], 'hc.down').filter((x) => x.backend === 's1' && x.t <= READY_AT).length,
  real: (d) =>
    d.events.haproxyMessages.filter((x) => x.line.startsWith('Server be/s1 is DOWN') && x.t <= READY_AT).length,
};

/** HAProxy's 503s whose stream ended in (from, to] s (log status 503); the twin's 5xx answers. */
const answers503In = (from: number, to: number, what: string): Figure14<HaproxyRec8> => ({
  figure: `503 answers in (${from}, ${to}] s (log: status 503 by end time; twin: 5xx answers)${what}`,
  tolerance: COUNT,
  sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'req_5xx', from + 0.5, to + 0.5)),
  real: (d) => d.haproxyLog.filter((l) => String(l[3]) === '503' && l[1] > from && l[1] <= to).length,
});

export const HAPROXY19: Record<string, Array<Figure14<HaproxyRec8>>> = {
  [MAINT_CHECK]: [
    downAfterReady,
    downBeforeReady,
    answers503In(
      12,
      16,
      " (s1 UP from the ready to its DOWN: its turns meet the killed s1's refusals, 503 after 3 retries)",
    ),
  ],
};

/** Rows whose 0 IS the rule tested (markZeros keeps them as mechanism rows): none (downBeforeReady's 0 is the run's design). */
export const MECHANISM_ZEROS19H: Record<string, string> = {};
