/**
 * Held-out validation, round 25 (session 31, hold25): the figures compared, computed the same way on
 * a twin's runs (the blind prediction) and on a recording. Session 29's rule that no recording had
 * checked (its own figures were read off earlier recordings, post hoc):
 *
 * - accept29 250ceddf — nginx's close of a connection it cannot take (nginx 1.22.1
 *   src/event/ngx_event_accept.c ngx_event_accept(): accept4(), ngx_get_connection() NULL, "N
 *   worker_connections are not enough", ngx_close_socket() at once) reaches the client as a FIN when
 *   the worker is idle: Linux net/ipv4/tcp.c __tcp_close() sends RST only with data unread
 *   (data_was_unread → tcp_send_active_reset()), and an idle worker, woken by the handshake's last
 *   ACK, closes before the client's request is in; that request then meets RST from the orphaned
 *   socket (net/ipv4/tcp_input.c tcp_rcv_state_process(): FIN_WAIT1/2, RCV_SHUTDOWN, new data →
 *   tcp_reset, TCPABORTONDATA): the client reads EOF first, and no end keeps a TIME_WAIT
 *   (sim/model/proxy/worker-connections.ts refusedClose → EndKind.SERVER_FIN_THEN_RST). The model
 *   before it (250ceddf^): an RST always, the client reads ECONNRESET (reset_out = refusals).
 *
 * Recorder calibration/nginx/holdout25.mjs (client.mjs, backend.mjs, experiment.mjs). Twin
 * calibration/scenarios/nginx-holdout25-wc10-refused-idle.yaml; predictions
 * calibration/data/holdout25-predictions.json (with each figure's tolerance). Every tolerance is
 * stated here, before any recording: counts ±10 % (±2 near zero).
 *
 * The load: one worker, `worker_connections 10` (its listening socket and channel take 2, each
 * request in flight 2: client and upstream connection); four holders GET /slow?ms=4000 at 0-15 ms
 * take the 8 free; twenty probes, one connection and one GET /slow?ms=4000 each (sent at the
 * connect), 100 ms apart from 1.0 s, are accepted and closed at once (the worker idle between them);
 * two late probes at 4.5 / 4.7 s, after the holders' answers (≈ 4.0 s), are served (≈ 8.5 / 8.7 s).
 * A failed probe is not sent again. The recording's rows read the client's groups (`hold`, `probe`,
 * `late`); the twin's, the windows in which only that group's requests end.
 */
import type { RunResult } from '../../sim/result.js';
import { series } from '../model/helpers.js';
import { overSeeds, type Tolerance, totalIn } from './heldout-table.js';
import type { Figure14 } from './holdout14-figures.js';

const COUNT: Tolerance = { count: true };
/** The twin's sample times are sums of 10 ms in floating point: a window's ends are taken 1 ns later. */
const EPS = 1e-9;

export const REFUSED_IDLE = 'nginx-holdout25-wc10-refused-idle';

/** Which rule each run tests (the old model of its rows: `git archive <rule>^`). */
export const RULE25: Record<string, string> = { [REFUSED_IDLE]: '250ceddf' };

/** What a round-25 nginx recording holds (nginx/experiment.mjs: times `s` from t0). */
export interface NginxRec25 {
  stamp: { sourceCommit?: { commit?: string; dirty?: boolean } | null };
  /** client.mjs `req` lines: group, outcome (ok | eof | an errno), status of an answer. */
  clientEvents: Array<{ ev: string; s: number; g?: string; out?: string; status?: number | null }>;
  backendEvents: Array<{ ev: string; s: number }>;
  /** `ss -tan` in the namespace about every second (both ends: the client and nginx share its kernel). */
  sockets: Array<{ s: number; timeWait: number }>;
  errorLogCounts: Record<string, number>;
}

/** The probes' outcome window in the twin: the 20 probes' requests end at 1.0-2.9 s, no other request then. */
const PROBES: [number, number] = [0.95, 3.0];

/** The recording's requests of client group `g` (client.mjs `req` lines). */
const reqsOf = (d: NginxRec25, g: string) => d.clientEvents.filter((e) => e.ev === 'req' && e.g === g);

/** A twin's total of `name` in the probes' window. */
const inProbes = (r: RunResult, name: string): number => totalIn(r, name, PROBES[0] + EPS, PROBES[1] + EPS);

/** The largest sample of a twin series in (from, to]. */
const maxIn = (r: RunResult, name: string, from: number, to: number): number =>
  Math.max(
    0,
    ...series(r, name)
      .filter(([t]) => t > from + EPS && t <= to + EPS)
      .map(([, v]) => v),
  );

/** The `ss` samples of the probes' span, before any request is answered (holders at ≈ 4.0 s). */
const SS_WINDOW: [number, number] = [0.5, 3.95];

export const NGINX25: Record<string, Array<Figure14<NginxRec25>>> = {
  [REFUSED_IDLE]: [
    {
      figure:
        "probes that failed before any answer (client.mjs group probe, out not ok; twin: errors in (0.95, 3.0] s) (each accepted and closed at once with the worker's 10 connections taken: 20)",
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => inProbes(r, 'errors')),
      real: (d) => reqsOf(d, 'probe').filter((e) => e.out !== 'ok').length,
    },
    {
      figure:
        "probes that read EOF first (client.mjs out eof: nginx's FIN before any answer; twin: err_econnreset − reset_out in (0.95, 3.0] s, the refusals nginx closed with a FIN) (the rule: an idle worker closes before the request is in, 20; before 250ceddf an RST always, 0)",
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => inProbes(r, 'err_econnreset') - inProbes(r, 'reset_out')),
      real: (d) => reqsOf(d, 'probe').filter((e) => e.out === 'eof').length,
    },
    {
      figure:
        "probes that read ECONNRESET (client.mjs out ECONNRESET: nginx's RST with the request unread; twin: reset_out in (0.95, 3.0] s) (the rule: 0 at an idle worker; before 250ceddf every refusal, 20)",
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => inProbes(r, 'reset_out')),
      real: (d) => reqsOf(d, 'probe').filter((e) => e.out === 'ECONNRESET').length,
    },
    {
      figure:
        "nginx's accept-time alerts '[alert] N worker_connections are not enough' (error.log; twin: errors in (0.95, 3.0] s, one per refused accept)",
      tolerance: COUNT,
      derived: 'one alert per refused probe: the first row',
      sim: (runs) => overSeeds(runs, (r) => inProbes(r, 'errors')),
      real: (d) => d.errorLogCounts['[alert] N worker_connections are not enough'] ?? 0,
    },
    {
      figure:
        "TIME_WAIT sockets, the largest of the ss samples in (0.5, 3.95] s (experiment.mjs ssCounts timeWait, both ends in the namespace; twin: time_wait's largest 10-ms sample there) (the refused connections end in RST: none; an orderly FIN close would leave one at nginx per refusal, 20)",
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => maxIn(r, 'time_wait', SS_WINDOW[0], SS_WINDOW[1])),
      real: (d) => {
        const xs = d.sockets.filter((x) => x.s > SS_WINDOW[0] && x.s <= SS_WINDOW[1]).map((x) => x.timeWait);
        return xs.length === 0 ? null : Math.max(...xs);
      },
    },
    {
      figure:
        "holders answered 200 (client.mjs group hold, ok 200; twin: responses_2xx in (3.9, 4.5] s) (the 4 requests that hold the worker's connections, 4 s each)",
      tolerance: COUNT,
      fixed: 'the input: four holders, 4-s answers',
      sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'responses_2xx', 3.9 + EPS, 4.5 + EPS)),
      real: (d) => reqsOf(d, 'hold').filter((e) => e.out === 'ok' && e.status === 200).length,
    },
    {
      figure:
        "late probes answered 200 (client.mjs group late, ok 200; twin: responses_2xx in (8.4, 9.0] s) (the holders' connections freed at their answers: both taken and served, 2)",
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'responses_2xx', 8.4 + EPS, 9.0 + EPS)),
      real: (d) => reqsOf(d, 'late').filter((e) => e.out === 'ok' && e.status === 200).length,
    },
  ],
};

/**
 * Rows whose 0 IS the rule tested (markZeros keeps them as mechanism rows), by `<run> / <figure>`,
 * stated before the recording.
 */
export const MECHANISM_ZEROS25: Record<string, string> = {
  [`${REFUSED_IDLE} / ${NGINX25[REFUSED_IDLE][2].figure}`]:
    '250ceddf: an idle worker closes a refused accept with a FIN (nothing unread), no RST of its own; 250ceddf^ resets every one (20)',
  [`${REFUSED_IDLE} / ${NGINX25[REFUSED_IDLE][4].figure}`]:
    "250ceddf's SERVER_FIN_THEN_RST: the request reaching nginx's orphaned socket ends both ends in RST, no TIME_WAIT; an orderly FIN close (EndKind.SERVER_FIN) would leave 20 at nginx",
};

// ---------------------------------------------------------------- second batch: HAProxy (74c2193b)

/**
 * - 74c2193b (maintpool28 follow-up) — a health-check DOWN keeps an http-mode server's idle server
 *   connections: HAProxy 2.6 src/check.c check_notify_failure() → src/server.c srv_set_stopped() →
 *   srv_update_status(), whose DOWN branch calls set_server_status_down, srv_shutdown_streams (only
 *   under on-marked-down shutdown-sessions) and pendconn_redistribute — no srv_cleanup_connections(),
 *   which v2.6.0 calls only from the maint branch of a server "still running" (server.c:5361), an
 *   address or port change (:3403) and `set server … ssl` (:4303); a server already DOWN entering
 *   maint takes the "was DOWN and now enters maintenance" branch, no cleanup either
 *   (sim/model/vm/lifecycle.ts enterMaint). The alternative (HAProxy closing a server's pool whenever
 *   it leaves service, DOWN or maint, as the running server's maint does): a scratch model with
 *   cleanupConnections at the DOWN and at every maint (holdout25.test.ts ALT_MODEL_B).
 *
 * Recorder calibration/haproxy/holdout25.mjs: mode http, 2 servers roundrobin, `http-reuse safe`,
 * checks inter 500ms fall 2 rise 2; round 23's second batch's load (40 req/s of GET /slow/200 over 12
 * kept-alive connections for 2.5 s); s1's /health answers 404 from 2.75 s (DOWN by ≈ 3.75 s); `set
 * server be/s1 state maint` at 5.506 s. `show stat` every 250 ms, `ss -tan` every second.
 */
export const DOWN_POOL = 'haproxy-holdout25b-down-keeps-idle-pool-reuse-safe-2srv-http';

/** The second batch's rule: 74c2193b, a DOWN (and a DOWN server's maint) keeps the idle server connections. */
export const RULE25B: Record<string, string> = { [DOWN_POOL]: '74c2193b' };

/** A `show stat` row of one server (lab.mjs STAT_FIELDS). */
interface StatRow25 {
  status?: string;
  idle_conn_cur?: number;
  safe_conn_cur?: number;
}
/** A `show stat` sample, s from t0: per server (and `be`), or the socket's error. */
type Sample25 = { t: number; error?: string } & Record<string, StatRow25 | number | string | undefined>;

/** What a round-25 lab.mjs recording holds (the second batch): `show stat` samples and `ss` counts by role. */
export interface HaproxyRec25 {
  stamp: { sourceCommit?: { commit?: string; dirty?: boolean } | null };
  samples: Sample25[];
  /** lib/sample.mjs countByRole: `back:<server>` is HAProxy's end of its connections to that server. */
  sockets: Array<{ t: number; byRole: Record<string, Record<string, number>> }>;
}

/** The mean of `xs`, or null for none. */
const meanOrNull = (xs: number[]): number | null =>
  xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;

/** `server`'s idle server connections (idle_conn_cur + safe_conn_cur) in the show-stat samples in (from, to]. */
const idleSamples25 = (d: HaproxyRec25, server: string, from: number, to: number): number[] =>
  d.samples.flatMap((s) => {
    const row = s[server] as StatRow25 | undefined;
    return s.t > from && s.t <= to && typeof row?.idle_conn_cur === 'number'
      ? [row.idle_conn_cur + (row.safe_conn_cur ?? 0)]
      : [];
  });

/** The mean of `server`'s lb_idle_conns samples (250 ms) in (from, to], per run. */
const simIdleMean25 = (r: RunResult, server: string, from: number, to: number): number =>
  meanOrNull(
    series(r, 'lb_idle_conns', server)
      .filter(([t]) => t > from + EPS && t <= to + EPS)
      .map(([, v]) => v),
  ) ?? Number.NaN;

/** `server`'s idle server connections, mean over the show-stat samples in (from, to] s; the twin's lb_idle_conns. */
const idleMean25 = (server: string, from: number, to: number, what: string): Figure14<HaproxyRec25> => ({
  figure: `${server} idle server connections (show stat idle_conn_cur + safe_conn_cur), mean of the samples in (${from}, ${to}] s (twin: lb_idle_conns)${what}`,
  tolerance: COUNT,
  sim: (runs) => overSeeds(runs, (r) => simIdleMean25(r, server, from, to)),
  real: (d) => meanOrNull(idleSamples25(d, server, from, to)),
});

/** HAProxy's established connections to `server` (ss, `back:<server>` ESTAB), mean of the samples in (from, to]; the twin's lb_idle_conns (nothing in flight then). */
const estabMean25 = (server: string, from: number, to: number, what: string): Figure14<HaproxyRec25> => ({
  figure: `HAProxy's established connections to ${server} (ss -tan, back:${server} ESTAB), mean of the samples in (${from}, ${to}] s (twin: lb_idle_conns, no request in flight)${what}`,
  tolerance: COUNT,
  derived: 'the idle connections of the show-stat row over the same window, counted by the kernel',
  sim: (runs) => overSeeds(runs, (r) => simIdleMean25(r, server, from, to)),
  real: (d) =>
    meanOrNull(d.sockets.filter((x) => x.t > from && x.t <= to).map((x) => x.byRole[`back:${server}`]?.ESTAB ?? 0)),
});

/** The twin's first hc.down record of s1 (s), or null. */
const simDownAt = (r: RunResult): number | null => {
  const hit = r.events.find((l) => l.record.kind === 'hc.down' && (l.record as { backend?: string }).backend === 's1');
  return hit ? hit.t : null;
};

export const HAPROXY25B: Record<string, Array<Figure14<HaproxyRec25>>> = {
  [DOWN_POOL]: [
    idleMean25('s1', 2.75, 3.25, ' (the load stopped at 2.5 s: every connection s1 used, idle, before its DOWN)'),
    {
      figure:
        "when s1 went DOWN, s from t0 (the first show-stat sample with status DOWN, minus half its 250-ms step; twin: its hc.down record) (/health 404 from 2.75 s, two failed checks 500 ms apart: 3.25-3.75 s by the checks' phase)",
      tolerance: { seconds: 0.5 },
      sim: (runs) => {
        const times = runs.map(simDownAt);
        return times.some((x) => x === null) ? null : overSeeds(runs, (r) => simDownAt(r) as number);
      },
      real: (d) => {
        const first = d.samples.find((s) => (s.s1 as StatRow25 | undefined)?.status?.startsWith('DOWN'));
        return first === undefined ? null : first.t - 0.125;
      },
    },
    idleMean25(
      's1',
      4,
      5.5,
      ' (after the DOWN: the rule, no srv_cleanup_connections() at a DOWN, s1 keeps them, ≈ 5; a DOWN closing the pool: 0)',
    ),
    estabMean25('s1', 4, 5.5, ' (after the DOWN: kept, ≈ 5; closed: 0)'),
    idleMean25(
      's1',
      5.75,
      7.75,
      " (after `set server be/s1 state maint` at 5.506 s on a server already DOWN: the 'was DOWN and now enters maintenance' branch, no cleanup, kept; a maint closing the pool whatever the state: 0)",
    ),
    estabMean25('s1', 5.75, 7.75, ' (after the maint of the DOWN s1: kept; closed: 0)'),
    idleMean25('s2', 4, 7.75, ' (s2 stays UP: its pool kept by the purge, ≈ 5)'),
  ],
};
