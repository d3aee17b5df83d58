/**
 * Held-out validation, round 26 (session 32, hold26): the figures compared, computed the same way on
 * a twin's runs (the blind prediction) and on a recording. Session 31's rule that no recording had
 * checked:
 *
 * - ghost31 53120756 — HAProxy 2.6 in mode http without `option abortonclose` goes on connecting for
 *   a client that gave up: src/http_ana.c http_end_request() calls channel_dont_read() without
 *   PR_O_ABRT_CLOSE (the client's close of a complete request is not read), src/stream.c
 *   process_stream() passes a client's close on during SC_ST_CON only with PR_O_ABRT_CLOSE, and
 *   src/backend.c back_handle_st_con() / back_handle_st_cer() abort a connect only on CF_SHUTW_NOW:
 *   the SYNs the server's full accept queue dropped are retransmitted by HAProxy's kernel and the
 *   request is served when one gets in, its answer going nowhere (sim/model/lb/l7-dispatch.ts
 *   connectGoesOn). With `option abortonclose` (lb.abortonclose: true) such a connect is given up
 *   ("client abort during connection attempt", termination state CC). The model before it
 *   (53120756^) let every such connect go at its client's timeout, abortonclose or not.
 *
 * Recorder calibration/haproxy/holdout26.mjs (bare-lab.mjs, holdout26-worker.mjs). Twins
 * calibration/scenarios/haproxy-holdout26-ghost-connects-http.yaml (no abortonclose, the rule) and
 * -abortonclose-http.yaml (its control); predictions calibration/data/holdout26-predictions.json
 * (with each figure's tolerance). Every tolerance is stated here, before any recording: counts
 * ±10 % (±2 near zero), times ±0.25 s.
 *
 * The load: one bare node app, backlog 1 (2 connections wait in its accept queue), answering at
 * once with `Connection: close`; 20 requests a second paced (request k at k/20 s), each on a new
 * client connection, given up by its client 800 ms after it was sent; the last at 4.45 s; the app
 * SIGSTOPped at 1.525 s and SIGCONTed at 4.525 s (T). The requests of 1.55 and 1.6 s wait in the
 * accept queue; every later one's SYN is dropped (ListenOverflows) and retransmitted 1 s apart
 * (Linux 6.18 tcp_syn_linear_timeouts 4), within HAProxy's 5-s `timeout connect`, until the app
 * resumes: each gets in at its first retransmission after T, all within 1 s.
 */
import type { RunResult } from '../../sim/result.js';
import { series } from '../model/helpers.js';
import { overSeeds, type Tolerance, totalIn } from './heldout-table.js';
import type { Figure14 } from './holdout14-figures.js';

const COUNT: Tolerance = { count: true };
const SECONDS: Tolerance = { seconds: 0.25 };
/** The twin's sample times are sums of 25 ms in floating point: a window's ends are taken 1 ns later. */
const EPS = 1e-9;

export const GHOSTS = 'haproxy-holdout26-ghost-connects-http';
export const GHOSTS_ABORT = 'haproxy-holdout26-ghost-connects-abortonclose-http';
/** The second batch: `option abortonclose` in the defaults section (the frontend has it too). */
export const GHOSTS_ABORT_DEFAULTS = 'haproxy-holdout26b-ghost-connects-abortonclose-defaults-http';

/** Which rule each run tests (the old model of its rows: `git archive <rule>^`). */
export const RULE26: Record<string, string> = {
  [GHOSTS]: '53120756',
  [GHOSTS_ABORT]: '53120756',
  [GHOSTS_ABORT_DEFAULTS]: '53120756',
};

/** The twins' SIGCONT (timeline: pause at 1.525 s for 3 s). */
const T_TWIN = 4.525;

/** What a round-26 recording holds (bare-lab.mjs with config.sockets). */
export interface HaproxyRec26 {
  stamp: { sourceCommit?: { commit?: string; dirty?: boolean } | null };
  /** The clients' start, epoch ms. */
  t0: number;
  /** holdout26-worker.mjs clients: `q <k> <sent s> <outcome> <done s>`. */
  clientLines: string[];
  /** `<s read> recv <epoch ms> <path>` (and the app's `listening`). */
  appLines: string[];
  haproxyLines: Array<{ t: number; line: string }>;
  actionsDone: Array<{ op: string; t: number }>;
  /** lib/sample.mjs countByRole once a second: `back:s1` is HAProxy's end of its connections to s1. */
  sockets: Array<{ t: number; byRole: Record<string, Record<string, number>> }>;
  nstat: Record<string, number>;
}

interface ClientReq {
  k: number;
  sent: number;
  outcome: string;
  done: number;
}

const clientReqs = (d: HaproxyRec26): ClientReq[] =>
  d.clientLines
    .filter((l) => l.startsWith('q '))
    .map((l) => {
      const [, k, sent, outcome, done] = l.split(' ');
      return { k: Number(k), sent: Number(sent), outcome, done: Number(done) };
    });

/** The app's receipts of /r/<k>: k and the time (s from t0, the app's own clock stamp). */
const receipts = (d: HaproxyRec26): Array<{ k: number; t: number }> =>
  d.appLines.flatMap((l) => {
    const m = / recv (\d+) \/r\/(\d+)$/.exec(l);
    return m ? [{ k: Number(m[2]), t: (Number(m[1]) - d.t0) / 1000 }] : [];
  });

/** When the recording's SIGCONT went out (s from t0). */
const contAt = (d: HaproxyRec26): number => {
  const a = d.actionsDone.find((x) => x.op === 'cont');
  if (!a) throw new Error('no SIGCONT in the recording');
  return a.t;
};

/** Receipts of requests whose client had already given up (outcome timeout, its done time before the receipt), s after T. */
const ghostReceipts = (d: HaproxyRec26): number[] => {
  const gaveUp = new Map(clientReqs(d).flatMap((q) => (q.outcome === 'timeout' ? [[q.k, q.done] as const] : [])));
  const t = contAt(d);
  return receipts(d)
    .filter((x) => gaveUp.has(x.k) && x.t >= (gaveUp.get(x.k) as number))
    .map((x) => x.t - t);
};

/** A twin's served-for-nobody requests (`wasted`) whose samples fall in (T + from, T + to]. */
const wastedAfterT = (r: RunResult, from: number, to: number): number =>
  totalIn(r, 'wasted', T_TWIN + from + EPS, T_TWIN + to + EPS);

/** The latest 25-ms sample with a served-for-nobody request, s after T (null: none). */
const lastWasted = (r: RunResult): number | null => {
  const hits = series(r, 'wasted').filter(([, v]) => v > 0);
  return hits.length === 0 ? null : (hits.at(-1) as [number, number])[0] - T_TWIN;
};

/** The twin's lb_ports_busy at each of `times` (s), mean. */
const portsAt = (r: RunResult, times: number[]): number => {
  const s = series(r, 'lb_ports_busy');
  const at = (t: number) => (s.find(([x]) => x >= t - 1e-6) as [number, number])[1];
  return times.reduce((a, t) => a + at(t), 0) / times.length;
};

/** HAProxy's sockets to s1 in every state but TIME-WAIT (ss, back:s1), mean of the samples in (from, to]. */
const backSockets = (d: HaproxyRec26, from: number, to: number): number | null => {
  const xs = d.sockets
    .filter((x) => x.t > from && x.t <= to)
    .map((x) =>
      Object.entries(x.byRole['back:s1'] ?? {})
        .filter(([state]) => state !== 'TIME-WAIT')
        .reduce((a, [, n]) => a + n, 0),
    );
  return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
};

/** HAProxy's stream log lines (config.mjs LOG_FORMAT.http) whose termination state starts with `state`. */
const loggedState = (d: HaproxyRec26, state: string): number =>
  d.haproxyLines.filter(({ line }) => line.startsWith('L ') && (line.split(' ')[4] ?? '').startsWith(state)).length;

/** The figures of both runs; `rule` says what 53120756 and 53120756^ give for the run. */
function figures26(rule: {
  ghosts: string;
  early: string;
  late: string;
  last: string;
  pause: string;
  after: string;
  cc: string;
  drops: string;
}): Array<Figure14<HaproxyRec26>> {
  return [
    {
      figure: `requests of clients already gone that the app receives (its recv lines of /r/k after client k gave up at 800 ms; twin: wasted)${rule.ghosts}`,
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'wasted', 0, 1e9)),
      real: (d) => ghostReceipts(d).length,
    },
    {
      figure: `of them, received in (T+0.05, T+0.55] s, T the SIGCONT (twin: wasted in (4.575, 5.075] s)${rule.early}`,
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => wastedAfterT(r, 0.05, 0.55)),
      real: (d) => ghostReceipts(d).filter((x) => x > 0.05 && x <= 0.55).length,
    },
    {
      figure: `of them, received in (T+0.55, T+1.1] s (twin: wasted in (5.075, 5.625] s)${rule.late}`,
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => wastedAfterT(r, 0.55, 1.1)),
      real: (d) => ghostReceipts(d).filter((x) => x > 0.55 && x <= 1.1).length,
    },
    {
      figure: `the latest such receipt, s after T (twin: the last 25-ms sample with wasted > 0, minus 4.525)${rule.last}`,
      tolerance: SECONDS,
      sim: (runs) => {
        const xs = runs.map(lastWasted);
        return xs.some((x) => x === null) ? null : overSeeds(runs, (r) => lastWasted(r) as number);
      },
      real: (d) => {
        const xs = ghostReceipts(d);
        return xs.length === 0 ? null : Math.max(...xs);
      },
    },
    {
      figure: `HAProxy's sockets to s1 in every state but TIME-WAIT (ss -tan, back:s1: SYN-SENT and the 2 in the accept queue), mean of the samples in (2.5, 4.5] s (twin: lb_ports_busy at 3.0 and 4.0 s)${rule.pause}`,
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => portsAt(r, [3, 4])),
      real: (d) => backSockets(d, 2.5, 4.5),
    },
    {
      figure: `the same, mean of the samples in (4.75, 6.5] s (twin: lb_ports_busy at 5.0 and 6.0 s)${rule.after}`,
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => portsAt(r, [5, 6])),
      real: (d) => backSockets(d, 4.75, 6.5),
    },
    {
      figure:
        'requests their clients gave up (holdout26-worker.mjs outcome timeout; twin: req_timeouts) (every request sent while the app was stopped: 1.55-4.45 s, 59)',
      tolerance: COUNT,
      fixed: 'the input: the requests sent during the stop, each given up at 800 ms',
      sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'req_timeouts', 0, 1e9)),
      real: (d) => clientReqs(d).filter((q) => q.outcome === 'timeout').length,
    },
    {
      figure: `HAProxy log lines with termination state CC, "client abort during connection attempt" (twin: req_timeouts − wasted, the given-up requests whose connect was given up)${rule.cc}`,
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'req_timeouts', 0, 1e9) - totalIn(r, 'wasted', 0, 1e9)),
      real: (d) => loggedState(d, 'CC'),
    },
    {
      figure: `SYNs (and final ACKs) the app's full accept queue dropped (nstat TcpExtListenOverflows; twin: syn_drops)${rule.drops}`,
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'syn_drops', 0, 1e9)),
      real: (d) => d.nstat.TcpExtListenOverflows ?? null,
    },
  ];
}

/** The abortonclose runs' figure words (the first batch's, as committed blind; the second batch's the same). */
const ABORT_TEXTS = {
  ghosts: ' (abortonclose: only the 2 that waited in the accept queue, whose connect the server acknowledged)',
  early: ' (abortonclose: none)',
  late: ' (abortonclose: none)',
  last: ' (abortonclose: the 2 queued, at T)',
  pause:
    ' (abortonclose: the connects of the last second and the 2 queued; stated before recording: the model lets an aborted connect go at its next SYN firing, HAProxy at the client’s close: then ≈ 18)',
  after: ' (abortonclose: the last connects before their clients give up)',
  cc: ' (abortonclose: every given-up request past the 2 queued, 57)',
  drops:
    ' (abortonclose: the first SYN of each ghost only, 57: its retransmission at 1 s comes after its client’s close)',
};

export const HAPROXY26: Record<string, Array<Figure14<HaproxyRec26>>> = {
  [GHOSTS]: figures26({
    ghosts:
      ' (the rule: every given-up request past the 2 queued is served when its retransmitted SYN gets in, ≈ 59; 53120756^: only the 2 in the accept queue)',
    early: ' (the rule: the ghosts whose SYN retransmission falls first after T, ≈ half; 53120756^: 0)',
    late: ' (the rule: the other half; 53120756^: 0)',
    last: ' (the rule: the SYNs are 1 s apart, ≈ 1 s; 53120756^: the queued 2, ≈ 0)',
    pause: ' (the rule: every connect since the stop is kept, ≈ 40; 53120756^: those of the last 0.8-1 s, ≈ 22)',
    after: ' (the rule: the ghosts not yet in at 5 s; 53120756^: ≈ 5)',
    cc: ' (the rule: none, no connect is given up; 53120756^: every ghost past the 2 queued would be, 57)',
    drops:
      ' (the rule: each ghost’s SYNs dropped until T, 1 s apart, ≈ 2 each; 53120756^: its first SYN only, the retransmission at 1 s coming after its client’s close at 800 ms, 57)',
  }),
  [GHOSTS_ABORT]: figures26(ABORT_TEXTS),
};

/**
 * The second batch (written after the first batch's recording, before its own): the same figures of
 * the run with `option abortonclose` in `defaults` (calibration/haproxy/holdout26.mjs defaultsLines).
 */
export const HAPROXY26B: Record<string, Array<Figure14<HaproxyRec26>>> = {
  [GHOSTS_ABORT_DEFAULTS]: figures26(ABORT_TEXTS),
};

/**
 * Rows whose 0 IS the rule tested (markZeros keeps them as mechanism rows), by `<run> / <figure>`,
 * stated before the recording.
 */
export const MECHANISM_ZEROS26: Record<string, string> = {
  [`${GHOSTS} / ${HAPROXY26[GHOSTS][7].figure}`]:
    '53120756: without abortonclose no connect is given up for a client that left; 53120756^ gives up every one (57)',
  [`${GHOSTS_ABORT} / ${HAPROXY26[GHOSTS_ABORT][1].figure}`]:
    'lb.abortonclose (53120756): the connect is given up at the client’s close, none gets in after the resume',
  [`${GHOSTS_ABORT} / ${HAPROXY26[GHOSTS_ABORT][2].figure}`]:
    'lb.abortonclose (53120756): the connect is given up at the client’s close, none gets in after the resume',
};

/** The second batch's rows whose 0 IS the rule tested, stated before its recording. */
export const MECHANISM_ZEROS26B: Record<string, string> = {
  [`${GHOSTS_ABORT_DEFAULTS} / ${HAPROXY26B[GHOSTS_ABORT_DEFAULTS][1].figure}`]:
    'lb.abortonclose (53120756), the option where HAProxy 2.6 reads it: the connect is given up at the client’s close, none gets in after the resume',
  [`${GHOSTS_ABORT_DEFAULTS} / ${HAPROXY26B[GHOSTS_ABORT_DEFAULTS][2].figure}`]:
    'lb.abortonclose (53120756), the option where HAProxy 2.6 reads it: the connect is given up at the client’s close, none gets in after the resume',
};

// ---------------------------------------------------------------- third batch: nginx (e5d58670)

/**
 * - lbfix31 e5d58670 — a client's give-up (499) closes nginx's upstream connection with a FIN: nginx
 *   1.22.1 src/http/ngx_http_upstream.c ngx_http_upstream_check_broken_connection() reads the
 *   client's FIN ("client prematurely closed connection, so upstream connection is closed too") and
 *   ngx_http_upstream_finalize_request() → ngx_close_connection(): close() with nothing unread. nginx's
 *   end waits in FIN_WAIT2, the app's in CLOSE_WAIT, until the app's late answer meets the orphan and
 *   draws an RST: no TIME_WAIT (sim/model/proxy/client-conns.ts → upstream.ts closeBeforeAnswer). The
 *   model before it (e5d58670^): both ends freed at the 499, as by an RST.
 *
 * Recorder calibration/nginx/holdout26.mjs (experiment.mjs with holdout26-backend.mjs, client.mjs
 * giveUpMs): one worker, `location /` (a connection per request); ten clients, one GET /slow?ms=5000
 * each, 100 ms apart from 0.2 s, each closing 1 s after sending; the app answers 5 s after reading,
 * not watching its connection. `ss` every second. Tolerances as the first batches': counts ±10 %
 * (±2 near zero).
 */
export const GIVE_UP = 'nginx-holdout26c-499-upstream-fin-wait2';

/** The third batch's rule. */
export const RULE26C: Record<string, string> = { [GIVE_UP]: 'e5d58670' };

/** What a round-26 nginx recording holds (nginx/experiment.mjs: times `s` from the client's start). */
export interface NginxRec26 {
  stamp: { sourceCommit?: { commit?: string; dirty?: boolean } | null };
  backendEvents: Array<{ ev: string; s: number; fin?: boolean }>;
  /** experiment.mjs ssCounts, about every second (both ends: nginx and the app share the namespace). */
  sockets: Array<{
    s: number;
    finWait: number;
    closeWait: number;
    timeWaitUpstreamNginx: number;
    timeWaitUpstreamApp: number;
  }>;
  accessLogSummary: Record<string, { statuses: Record<string, number> }>;
}

/** The mean of the `ss` samples in (from, to] of `pick`, or null for none. */
const ssMean = (d: NginxRec26, from: number, to: number, pick: (x: NginxRec26['sockets'][number]) => number) =>
  meanOf(d.sockets.filter((x) => x.s > from && x.s <= to).map(pick));

const meanOf = (xs: number[]): number | null => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);

/** Whether the run has a series of that name (an old model's may not). */
const hasSeries = (r: RunResult, name: string): boolean => r.timeline.series.some((x) => x.name === name);

/** A twin series' mean at whole seconds `times`. */
const meanAt = (r: RunResult, name: string, times: number[]): number => {
  const s = series(r, name);
  const at = (t: number) => (s.find(([x]) => x >= t - 1e-6) as [number, number])[1];
  return times.reduce((a, t) => a + at(t), 0) / times.length;
};

export const NGINX26C: Record<string, Array<Figure14<NginxRec26>>> = {
  [GIVE_UP]: [
    {
      figure: "requests nginx logged 499 (access log; twin: err_client_timeout, each client's give-up at 1 s) (10)",
      tolerance: COUNT,
      fixed: 'the input: ten requests, each given up at 1 s while the app takes 5 s',
      // e5d58670^ predates eee6b157, which renamed the client's own timeout from err_etimedout.
      sim: (runs) =>
        overSeeds(runs, (r) =>
          totalIn(r, hasSeries(r, 'err_client_timeout') ? 'err_client_timeout' : 'err_etimedout', 0, 1e9),
        ),
      real: (d) => Object.values(d.accessLogSummary).reduce((a, p) => a + (p.statuses['499'] ?? 0), 0),
    },
    {
      figure:
        "nginx's upstream sockets in FIN-WAIT (ss, experiment.mjs ssCounts finWait), mean of the samples in (2.5, 5.15] s, after every 499 and before any late answer (twin: upstream_ports_busy at 3, 4 and 5 s) (the rule: nginx's close is a FIN, its end waits in FIN_WAIT2, 10; e5d58670^: freed at the 499, 0)",
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => meanAt(r, 'upstream_ports_busy', [3, 4, 5])),
      real: (d) => ssMean(d, 2.5, 5.15, (x) => x.finWait),
    },
    {
      figure:
        "the app's sockets in CLOSE-WAIT (ss closeWait), mean of the samples in (2.5, 5.15] s (twin: upstream_ports_busy at 3, 4 and 5 s) (the rule: nginx's FIN read, the app not closing, 10; e5d58670^: 0)",
      tolerance: COUNT,
      derived: "each nginx end in FIN-WAIT-2 is an app end in CLOSE-WAIT: the row above, counted at the app's end",
      sim: (runs) => overSeeds(runs, (r) => meanAt(r, 'upstream_ports_busy', [3, 4, 5])),
      real: (d) => ssMean(d, 2.5, 5.15, (x) => x.closeWait),
    },
    {
      figure:
        "nginx's upstream sockets in FIN-WAIT, mean of the samples in (6.5, 9.5] s, after the late answers at 5.2-6.1 s (twin: upstream_ports_busy at 7, 8 and 9 s) (the rule: each freed by the RST its late answer draws, 0; held to tcp_fin_timeout it would be 10)",
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => meanAt(r, 'upstream_ports_busy', [7, 8, 9])),
      real: (d) => ssMean(d, 6.5, 9.5, (x) => x.finWait),
    },
    {
      figure:
        "TIME-WAIT sockets of the nginx-app connections (ss, timeWaitUpstreamNginx + timeWaitUpstreamApp), the largest sample in (6.5, 9.5] s (twin: time_wait's largest at 7, 8 and 9 s) (the rule: the late answer meets the orphan and an RST ends both ends, 0; an app closing on nginx's FIN would leave 10 at nginx)",
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => Math.max(...[7, 8, 9].map((t) => meanAt(r, 'time_wait', [t])))),
      real: (d) => {
        const xs = d.sockets.filter((x) => x.s > 6.5 && x.s <= 9.5);
        return xs.length === 0 ? null : Math.max(...xs.map((x) => x.timeWaitUpstreamNginx + x.timeWaitUpstreamApp));
      },
    },
    {
      figure:
        "the app's late answers written after nginx's FIN (holdout26-backend.mjs up-write with fin; twin: wasted) (the app is not told: every one, 10)",
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'wasted', 0, 1e9)),
      real: (d) => d.backendEvents.filter((e) => e.ev === 'up-write' && e.fin === true).length,
    },
  ],
};

/** The third batch's rows whose 0 IS the rule tested, stated before its recording. */
export const MECHANISM_ZEROS26C: Record<string, string> = {
  [`${GIVE_UP} / ${NGINX26C[GIVE_UP][3].figure}`]:
    'e5d58670: the FIN_WAIT2 end is freed by the RST the late answer draws (not held to tcp_fin_timeout, 60 s)',
  [`${GIVE_UP} / ${NGINX26C[GIVE_UP][4].figure}`]:
    'e5d58670: the late answer meets the orphan and an RST ends both ends, no TIME_WAIT (a FIN close from the app would leave 10)',
};
