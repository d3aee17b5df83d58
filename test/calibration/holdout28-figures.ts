/**
 * Held-out validation, round 28 (session 34, hold28): the figures compared, computed the same way
 * on a twin's runs (the blind prediction) and on a recording. Session 33's rules that no recording
 * had checked blind:
 *
 * - nginx33 8f5efcf0 — a try that fails after the connect (proxy_read_timeout) frees its peer as
 *   failed (max_fails 1: skipped for fail_timeout 10 s) and nginx 1.22.1 src/http/ngx_http_upstream.c
 *   ngx_http_upstream_next sends the request to the next address of the upstream (proxy_next_upstream's
 *   default `error timeout`), except a POST already sent (no `non_idempotent`); with every peer down,
 *   502 without a connect ("no live upstreams"). Runs -stop-get and -stop-post.
 * - nginx33 a144cba2 — with upstream keepalive a try takes only a cached connection to the address the
 *   round robin chose (src/http/modules/ngx_http_upstream_keepalive_module.c
 *   ngx_http_upstream_get_keepalive_peer): `keepalive 1` behind two alternating addresses reuses
 *   nothing. Run -ka1-two-addresses.
 * - idle33 ad24c14b — clients.http.idle_timeout unset is the library's: Node's http.globalAgent closes
 *   a connection idle 5 s (node 20 lib/_http_agent.js), so a client thinking 6 s behind nginx's
 *   keepalive_timeout 30s sends each request on a new connection. Run -node-agent-think6s.
 *
 * Recorder calibration/nginx/holdout28.mjs (holdout28-app.cjs, holdout28-client.mjs); twins
 * calibration/scenarios/nginx-holdout28-*.yaml; predictions calibration/data/holdout28-predictions.json
 * (with each figure's tolerance). Every tolerance is stated here, before any recording: counts ±10 %
 * (±2 near zero); the first answer after the stop ±1 s — a failed peer comes back on a whole second of
 * nginx's clock (ngx_time(): fail_timeout 10 s is 10-11 s), whose phase against the run's start the
 * model cannot know (its clock starts on a whole second).
 */
import type { RunResult } from '../../sim/result.js';
import { series } from '../model/helpers.js';
import { recordsOf } from '../trace/records-of.js';
import { overSeeds, type Tolerance, totalIn } from './heldout-table.js';
import type { Figure14 } from './holdout14-figures.js';

const COUNT: Tolerance = { count: true };
/** A failed peer is back 10-11 s after its failure (whole seconds of ngx_time()): ±1 s. */
const WHOLE_SECOND: Tolerance = { seconds: 1 };

export const STOP_GET = 'nginx-holdout28-next-upstream-stop-get';
export const STOP_POST = 'nginx-holdout28-next-upstream-stop-post';
export const KA1 = 'nginx-holdout28-ka1-two-addresses';
export const NODE_IDLE = 'nginx-holdout28-node-agent-think6s';

/** Which rule each run tests. */
export const RULE28: Record<string, string> = {
  [STOP_GET]: '8f5efcf0',
  [STOP_POST]: '8f5efcf0',
  [KA1]: 'a144cba2',
  [NODE_IDLE]: 'ad24c14b',
};

/** The SIGCONT of the -stop runs, s from t0. */
const CONT = 5.0;

/** What a round-28 recording holds (calibration/nginx/holdout28.mjs). */
export interface NginxRec28 {
  stamp: { sourceCommit?: { commit?: string; dirty?: boolean } | null };
  /** The clients' time origin, epoch ms. */
  t0: number;
  /** The app's SIGSTOP / SIGCONT, s from t0. */
  actions: Array<{ signal: string; t: number }>;
  /** holdout28-client.mjs: `q <k> <sent> <status> <done>` (paced) or `a <k> <sent> <status> <done> <port>` (agent). */
  clientLines: string[];
  /** holdout28-app.cjs: `<ms> conn <addr>`, `<ms> req <method> <url> <addr>`. */
  appLines: string[];
  /** nginx's access log: `$msec|$status|$request_time|$connection|$connection_requests|$request_method|$upstream_addr|$upstream_status`. */
  access: string[];
  errors: string[];
}

interface Logged {
  /** The request's end, s from t0. */
  t: number;
  status: string;
  connection: string;
  connectionRequests: number;
  /** Every address nginx tried ($upstream_addr's ip:port entries; the upstream's name for a 502 without a connect). */
  tries: string[];
}

const logged = (d: NginxRec28): Logged[] =>
  d.access.map((l) => {
    const [msec, status, , connection, connectionRequests, , addr] = l.split('|');
    return {
      t: Number(msec) - d.t0 / 1000,
      status,
      connection,
      connectionRequests: Number(connectionRequests),
      tries: (addr ?? '').split(/[,:]\s+/).filter((a) => /^\d+\.\d+\.\d+\.\d+:\d+$/.test(a)),
    };
  });

const withStatus = (d: NginxRec28, status: string): number => logged(d).filter((x) => x.status === status).length;

/** The twin's 502s without a connect: its nginx.no_live_upstreams records (each ends its request). */
const noLive = (r: RunResult): number => recordsOf(r, 'nginx.no_live_upstreams').length;

/**
 * The twin's requests sent to a second address that connected there: its nginx.upstream_next records
 * less those whose request met "no live upstreams" at the same instant (the other peer already
 * down: a 502 without a second connect, one ip:port in $upstream_addr).
 */
const secondTries = (r: RunResult): number => {
  const noLiveAt = new Set(recordsOf(r, 'nginx.no_live_upstreams').map((x) => x.t));
  return recordsOf(r, 'nginx.upstream_next').filter((x) => !noLiveAt.has(x.t)).length;
};

/** The first 50-ms sample after `from` with a 2xx answer, s (null: none). */
const first2xxAfter = (r: RunResult, from: number): number | null =>
  series(r, 'responses_2xx').find(([t, v]) => t > from && v > 0)?.[0] ?? null;

const nullable = (runs: RunResult[], f: (r: RunResult) => number | null): number | null => {
  const xs = runs.map(f);
  return xs.some((x) => x === null) ? null : overSeeds(runs, (r) => f(r) as number);
};

/** The -stop runs' rows (`rule`: each row's words on what the rule gives for this method). */
function stopFigures(rule: {
  r504: string;
  r502: string;
  tries: string;
  next: string;
  timeouts: string;
  back: string;
  after: string;
}) {
  const figures: Array<Figure14<NginxRec28>> = [
    {
      figure: 'requests nginx logged (access log; twin: requests) (50 paced, 2.5 a second from 0.1 s)',
      fixed: 'the input: 50 requests',
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'requests', 0, 1e9)),
      real: (d) => d.access.length,
    },
    {
      figure: `answered 504 (access log; twin: 5xx less its no-live-upstreams 502s)${rule.r504}`,
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'responses_5xx', 0, 1e9) - noLive(r)),
      real: (d) => withStatus(d, '504'),
    },
    {
      figure: `answered 502 (access log; twin: nginx.no_live_upstreams, a 502 without a connect)${rule.r502}`,
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, noLive),
      real: (d) => withStatus(d, '502'),
    },
    {
      figure: `tries nginx made ($upstream_addr's ip:port entries, summed; twin: upstream_connects)${rule.tries}`,
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'upstream_connects', 0, 1e9)),
      real: (d) => logged(d).reduce((a, x) => a + x.tries.length, 0),
    },
    {
      figure: `requests sent to a second address and tried there ($upstream_addr with two ip:port entries; twin: nginx.upstream_next less those met at once by no live upstreams)${rule.next}`,
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, secondTries),
      real: (d) => logged(d).filter((x) => x.tries.length >= 2).length,
    },
    {
      figure: `tries that timed out (error.log "upstream timed out" lines; twin: nginx.upstream_read_timeout)${rule.timeouts}`,
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => recordsOf(r, 'nginx.upstream_read_timeout').length),
      real: (d) => d.errors.filter((l) => l.includes('upstream timed out')).length,
    },
    {
      figure: `the first 200 after the SIGCONT at 5.0 s, s ($msec; twin: the first 50-ms sample with a 2xx)${rule.back}`,
      tolerance: WHOLE_SECOND,
      sim: (runs) => nullable(runs, (r) => first2xxAfter(r, CONT)),
      real: (d) => {
        const xs = logged(d).filter((x) => x.status === '200' && x.t > CONT);
        return xs.length === 0 ? null : Math.min(...xs.map((x) => x.t));
      },
    },
    {
      figure: `answered 200 after the SIGCONT (access log; twin: 2xx in (5, 22] s)${rule.after}`,
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'responses_2xx', CONT, 1e9)),
      real: (d) => logged(d).filter((x) => x.status === '200' && x.t > CONT).length,
    },
  ];
  return figures;
}

export const NGINX28: Record<string, Array<Figure14<NginxRec28>>> = {
  [STOP_GET]: stopFigures({
    r504: ' (8f5efcf0: the first GET of the stop, timed out on both addresses)',
    r502: ' (8f5efcf0: every GET from the failures on, both peers down for 10-11 s)',
    tries:
      ' (8f5efcf0: one per request served before the stop and after the peers are back, two for the GET that timed out on both)',
    next: ' (8f5efcf0: the GET whose first address timed out while the other was still live)',
    timeouts: ' (8f5efcf0: each GET that reached a peer in the stop, twice for the one sent on)',
    back: ' (8f5efcf0: 10-11 s after the last failure, whole seconds of ngx_time())',
    after: ' (8f5efcf0: from the peers’ return to the last request at 19.7 s)',
  }),
  [STOP_POST]: stopFigures({
    r504: ' (8f5efcf0: each POST of the stop timed out once, answered at once, not sent on)',
    r502: ' (8f5efcf0: every POST once both peers are down, for 10-11 s)',
    tries: ' (8f5efcf0: one per POST that reached a live peer)',
    next: ' (8f5efcf0: none, a POST already sent is not sent again)',
    timeouts: ' (8f5efcf0: each POST that reached a live peer in the stop, once)',
    back: ' (8f5efcf0: 10-11 s after the last failure)',
    after: ' (8f5efcf0: from the peers’ return to the last request at 19.7 s)',
  }),
  [KA1]: [
    {
      figure: 'requests answered 200 (access log; twin: 2xx) (50 paced, 10 a second, one at a time)',
      fixed: 'the input: 50 requests, the app answering at once',
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'responses_2xx', 0, 1e9)),
      real: (d) => withStatus(d, '200'),
    },
    {
      figure:
        "connections the app accepted (its conn lines; twin: upstream_connects) (a144cba2: the round robin alternates the two addresses and the one cached connection is always the other address's, so every request connects, 50; one shared cache: 1)",
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'upstream_connects', 0, 1e9)),
      real: (d) => d.appLines.filter((l) => / conn /.test(l)).length,
    },
    {
      figure:
        'connections the app accepted on 127.0.0.2, the second address (its conn lines; twin: half the connects — the round robin alternates) (a144cba2: 25)',
      tolerance: COUNT,
      derived: 'half the connections: the round robin of two equal peers alternates',
      sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'upstream_connects', 0, 1e9) / 2),
      real: (d) => d.appLines.filter((l) => / conn 127\.0\.0\.2$/.test(l)).length,
    },
  ],
  [NODE_IDLE]: [
    {
      figure: 'requests answered 200 (access log; twin: 2xx) (3 node processes × 7 GETs)',
      fixed: 'the input: 21 requests',
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'responses_2xx', 0, 1e9)),
      real: (d) => withStatus(d, '200'),
    },
    {
      figure:
        "client connections nginx served (distinct $connection in the access log; twin: new_conn) (ad24c14b: node's globalAgent closes each connection after 5 s idle, before the next request 6 s on: 21; before it, never closed: 3)",
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'new_conn', 0, 1e9)),
      real: (d) => new Set(logged(d).map((x) => x.connection)).size,
    },
    {
      figure:
        'requests on a reused client connection ($connection_requests > 1; twin: requests − new_conn) (ad24c14b: 0; before it: 18)',
      tolerance: COUNT,
      derived: 'the requests less the connections',
      sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'requests', 0, 1e9) - totalIn(r, 'new_conn', 0, 1e9)),
      real: (d) => logged(d).filter((x) => x.connectionRequests > 1).length,
    },
  ],
};

/** Rows whose 0 is the mechanism (not "0 vs 0" input-fixed). */
export const MECHANISM_ZEROS28: Record<string, string> = {
  [`${STOP_POST} / ${NGINX28[STOP_POST][4].figure}`]: 'a POST already sent is not sent again (no non_idempotent)',
  [`${NODE_IDLE} / ${NGINX28[NODE_IDLE][2].figure}`]: "node's 5-s idle timeout closes each connection first",
};
