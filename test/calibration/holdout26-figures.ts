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
