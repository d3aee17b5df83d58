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
