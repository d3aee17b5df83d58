/**
 * Held-out validation, round 27 (session 33, hold27): the figures compared, computed the same way on
 * a twin's runs (the blind prediction) and on a recording. Session 32's rules that no recording had
 * checked:
 *
 * - ghost32 1d1d3160 — HAProxy 2.6 in mode http without `option abortonclose` keeps a request whose
 *   client gave up while it waited in the queue for a server slot (server maxconn) and sends it at its
 *   turn, its answer going nowhere: the client's close of a complete request is not read
 *   (src/http_ana.c http_end_request(): channel_dont_read()), and src/backend.c back_try_conn_req() in
 *   SC_ST_QUE aborts a queued stream only when back_may_abort_req() holds (CF_READ_ERROR, or
 *   CF_SHUTW_NOW with PR_O_ABRT_CLOSE or an empty request channel) (sim/model/lb/l7-dispatch.ts
 *   takeSlot()/requeue(), lb/queue.ts). The model before it (1d1d3160^) let a queued stream go at its
 *   client's give-up.
 * - ghost32 4867ac73 — with `option abortonclose` a stream ends at its client's close, an open-loop
 *   client's included (src/http_ana.c http_request_forward_body(), src/stream.c process_stream(),
 *   sess_change_server()): the stream in service is aborted and its slot goes to the next queued
 *   request. The model before it (4867ac73^) kept an open-loop client's stream on its server until its
 *   answer.
 *
 * Recorder calibration/haproxy/holdout27.mjs (bare-lab.mjs, holdout26-worker.mjs with an answer delay).
 * Twins calibration/scenarios/haproxy-holdout27-queued-ghosts-http.yaml (no abortonclose: 1d1d3160)
 * and -abortonclose-defaults-http.yaml (the option in `defaults`: 4867ac73); predictions
 * calibration/data/holdout27-predictions.json (with each figure's tolerance). Every tolerance is
 * stated here, before any recording: counts ±10 % (±2 near zero), times ±0.25 s, the seconds s1
 * holds a stream ±0.5 s (read on 250-ms `show stat` samples: a sample either side).
 *
 * The load: one bare node app answering each request 1 s after reading it (a timer, `Connection:
 * close`), `server s1 … maxconn 1`, `timeout queue 30s`; 8 requests, 10 a second paced (request k at
 * k/10 s), each on a new client connection, given up by its client 1450 ms after it was sent
 * (1.65-2.35 s for requests 2-8). Request 1 is answered at 1.1 s; request 2 is in service at the
 * app from 1.1 s when its client leaves, requests 3-8 wait in HAProxy's queue.
 */
import type { RunResult } from '../../sim/result.js';
import { series } from '../model/helpers.js';
import { overSeeds, type Tolerance, totalIn } from './heldout-table.js';
import type { Figure14 } from './holdout14-figures.js';

const COUNT: Tolerance = { count: true };
const SECONDS: Tolerance = { seconds: 0.25 };
/** The seconds s1 holds a stream, read on 250-ms samples: a sample either side. */
const HELD: Tolerance = { seconds: 0.5 };
/** The twin's sample times are sums of 25 ms in floating point: a window's ends are taken 1 ns later. */
const EPS = 1e-9;

export const QUEUED = 'haproxy-holdout27-queued-ghosts-http';
export const QUEUED_ABORT = 'haproxy-holdout27-queued-ghosts-abortonclose-defaults-http';

/** Which rule each run tests (the old model of its rows: `git worktree add <dir> <rule>^`, built). */
export const RULE27: Record<string, string> = {
  [QUEUED]: '1d1d3160',
  [QUEUED_ABORT]: '4867ac73',
};

/** What a round-27 recording holds (bare-lab.mjs with config.sockets). */
export interface HaproxyRec27 {
  stamp: { sourceCommit?: { commit?: string; dirty?: boolean } | null };
  /** The clients' start, epoch ms. */
  t0: number;
  /** holdout26-worker.mjs clients: `q <k> <sent s> <outcome> <done s>`. */
  clientLines: string[];
  /** `<s read> recv|done|gone <epoch ms> <path>` (and the app's `listening`). */
  appLines: string[];
  haproxyLines: Array<{ t: number; line: string }>;
  /** `show stat` every 250 ms: s1's and the backend's rows. */
  samples: Array<{ t: number; s1?: { scur?: number; qcur?: number }; be?: { qcur?: number } }>;
  /** lib/sample.mjs countByRole once a second: `back:s1` is HAProxy's end of its connections to s1. */
  sockets: Array<{ t: number; byRole: Record<string, Record<string, number>> }>;
}

interface ClientReq {
  k: number;
  sent: number;
  outcome: string;
  done: number;
}

const clientReqs = (d: HaproxyRec27): ClientReq[] =>
  d.clientLines
    .filter((l) => l.startsWith('q '))
    .map((l) => {
      const [, k, sent, outcome, done] = l.split(' ');
      return { k: Number(k), sent: Number(sent), outcome, done: Number(done) };
    });

/** The app's `what` lines of /r/<k>: k and the time (s from t0, the app's own clock stamp). */
const appEvents = (d: HaproxyRec27, what: 'recv' | 'done'): Array<{ k: number; t: number }> =>
  d.appLines.flatMap((l) => {
    const m = new RegExp(` ${what} (\\d+) /r/(\\d+)$`).exec(l);
    return m ? [{ k: Number(m[2]), t: (Number(m[1]) - d.t0) / 1000 }] : [];
  });

/** The app's receipts of /r/<k>, s from t0. */
const receipts = (d: HaproxyRec27): number[] => appEvents(d, 'recv').map((x) => x.t);

/** The app's answers written after their client had given up (outcome timeout, its done time before the answer). */
const answersForNobody = (d: HaproxyRec27): number => {
  const gaveUp = new Map(clientReqs(d).flatMap((q) => (q.outcome === 'timeout' ? [[q.k, q.done] as const] : [])));
  return appEvents(d, 'done').filter((x) => gaveUp.has(x.k) && x.t >= (gaveUp.get(x.k) as number)).length;
};

/** The twin's attempts (a request sent to s1: the app's receipt) in (from, to] s. */
const attemptsIn = (r: RunResult, from: number, to: number): number => totalIn(r, 'attempts', from + EPS, to + EPS);

/** The latest 25-ms sample with an attempt, s (null: none). */
const lastAttempt = (r: RunResult): number | null => {
  const hits = series(r, 'attempts').filter(([, v]) => v > 0);
  return hits.length === 0 ? null : (hits.at(-1) as [number, number])[0];
};

/** The `show stat` sample times the queue row reads (250 ms apart in (2.5, 4.5]). */
const QUEUE_TIMES = [2.75, 3, 3.25, 3.5, 3.75, 4, 4.25, 4.5];

/**
 * The twin's queue at `t`: its attempts after t. Valid in (2.5, 4.5] s: every client has given up by
 * 2.35 s, so a request not sent by then is either still queued (sent later) or withdrawn (never).
 */
const queuedAt = (r: RunResult, t: number): number => totalIn(r, 'attempts', t + EPS, 1e9);

/** HAProxy's queue (show stat qcur of the backend and of s1), mean of the samples in (from, to]. */
const queueSamples = (d: HaproxyRec27, from: number, to: number): number | null => {
  const xs = d.samples
    .filter((x) => x.t > from && x.t <= to && x.be !== undefined)
    .map((x) => (x.be?.qcur ?? 0) + (x.s1?.qcur ?? 0));
  return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
};

/** Seconds s1 holds a stream in (from, to]: show stat samples with scur ≥ 1, × 0.25 s. */
const heldSeconds = (d: HaproxyRec27, from: number, to: number): number =>
  d.samples.filter((x) => x.t > from && x.t <= to && (x.s1?.scur ?? 0) >= 1).length * 0.25;

/** The twin's seconds with a stream on s1 (active_conn, HAProxy's scur) in (from, to]: 25-ms samples × 0.025. */
const twinHeldSeconds = (r: RunResult, from: number, to: number): number =>
  series(r, 'active_conn').filter(([t, v]) => t > from + EPS && t <= to + EPS && v >= 1).length * 0.025;

/** HAProxy's sockets to s1 in every state but TIME-WAIT (ss -tan, back:s1), the sample in (from, to]. */
const backSockets = (d: HaproxyRec27, from: number, to: number): number | null => {
  const xs = d.sockets
    .filter((x) => x.t > from && x.t <= to)
    .map((x) =>
      Object.entries(x.byRole['back:s1'] ?? {})
        .filter(([state]) => state !== 'TIME-WAIT')
        .reduce((a, [, n]) => a + n, 0),
    );
  return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
};

/** The twin's series `name` at `t` (the first sample at or after it). */
const at = (r: RunResult, name: string, t: number): number =>
  (series(r, name).find(([x]) => x >= t - 1e-6) as [number, number])[1];

/** HAProxy's stream log lines (config.mjs LOG_FORMAT.http) whose termination state starts with `state`. */
const loggedState = (d: HaproxyRec27, state: string): number =>
  d.haproxyLines.filter(({ line }) => line.startsWith('L ') && (line.split(' ')[4] ?? '').startsWith(state)).length;

/** Each row's words on what the rule and the old model give, per run. */
interface RuleTexts {
  received: string;
  nobody: string;
  burst: string;
  later: string;
  last: string;
  queue: string;
  held: string;
  cq: string;
  sockets: string;
}

function figures27(rule: RuleTexts): Array<Figure14<HaproxyRec27>> {
  return [
    {
      figure: `requests the app receives (its recv lines of /r/k; twin: attempts)${rule.received}`,
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'attempts', 0, 1e9)),
      real: (d) => receipts(d).length,
    },
    {
      figure: `the app's answers written after their client gave up (its done lines of /r/k after client k's give-up; twin: wasted)${rule.nobody}`,
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'wasted', 0, 1e9)),
      real: (d) => answersForNobody(d),
    },
    {
      figure: `receipts in (1.55, 2.35] s, while the clients of requests 2-8 give up (twin: attempts there)${rule.burst}`,
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => attemptsIn(r, 1.55, 2.35)),
      real: (d) => receipts(d).filter((t) => t > 1.55 && t <= 2.35).length,
    },
    {
      figure: `receipts in (2.35, 10] s, after every client has given up (twin: attempts there)${rule.later}`,
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => attemptsIn(r, 2.35, 10)),
      real: (d) => receipts(d).filter((t) => t > 2.35 && t <= 10).length,
    },
    {
      figure: `the latest receipt, s (twin: the last 25-ms sample with an attempt)${rule.last}`,
      tolerance: SECONDS,
      sim: (runs) => {
        const xs = runs.map(lastAttempt);
        return xs.some((x) => x === null) ? null : overSeeds(runs, (r) => lastAttempt(r) as number);
      },
      real: (d) => {
        const xs = receipts(d);
        return xs.length === 0 ? null : Math.max(...xs);
      },
    },
    {
      figure: `HAProxy's queue (show stat qcur, backend + s1), mean of the samples in (2.5, 4.5] s (twin: its attempts after each of 2.75, 3.0, …, 4.5 s — the requests still to be sent, no client giving up after 2.35 s)${rule.queue}`,
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => QUEUE_TIMES.reduce((a, t) => a + queuedAt(r, t), 0) / QUEUE_TIMES.length),
      real: (d) => queueSamples(d, 2.5, 4.5),
    },
    {
      figure: `seconds s1 holds a stream in (2.5, 8.5] s (show stat s1 scur ≥ 1: samples × 0.25 s; twin: active_conn ≥ 1, 25-ms samples × 0.025 s)${rule.held}`,
      tolerance: HELD,
      sim: (runs) => overSeeds(runs, (r) => twinHeldSeconds(r, 2.5, 8.5)),
      real: (d) => heldSeconds(d, 2.5, 8.5),
    },
    {
      figure:
        'requests their clients gave up (holdout26-worker.mjs outcome timeout; twin: req_timeouts) (requests 2-8, sent while request 1 held the slot, 7)',
      tolerance: COUNT,
      fixed: 'the input: requests 2-8 cannot be answered within 1450 ms behind a 1-s answer at maxconn 1',
      sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'req_timeouts', 0, 1e9)),
      real: (d) => clientReqs(d).filter((q) => q.outcome === 'timeout').length,
    },
    {
      figure: `HAProxy log lines with termination state CQ, "client abort while queued" (twin: offered − attempts, the requests never sent to s1)${rule.cq}`,
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'offered', 0, 1e9) - totalIn(r, 'attempts', 0, 1e9)),
      real: (d) => loggedState(d, 'CQ'),
    },
    {
      figure: `HAProxy's sockets to s1 in every state but TIME-WAIT (ss -tan, back:s1), the sample in (1.75, 2.3] s (twin: lb_ports_busy at 2.0 s)${rule.sockets}`,
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => at(r, 'lb_ports_busy', 2)),
      real: (d) => backSockets(d, 1.75, 2.3),
    },
  ];
}

export const HAPROXY27: Record<string, Array<Figure14<HaproxyRec27>>> = {
  [QUEUED]: figures27({
    received:
      ' (the rule: every request, its turn coming every 1 s, 8; 1d1d3160^: 1, 2 and the one queued at 2.1 s, 3)',
    nobody: ' (the rule: requests 2-8, 7; 1d1d3160^: 2 and 7, 2)',
    burst: ' (the rule: request 3 at 2.1 s, 1; 1d1d3160^: request 7 at 2.1 s, 1)',
    later: ' (the rule: requests 4-8 at 3.1-7.1 s, 5; 1d1d3160^: 0)',
    last: ' (the rule: request 8 at 7.1 s; 1d1d3160^: 2.1 s)',
    queue: ' (the rule: 5, 4 then 3 queued ghosts, 4.0; 1d1d3160^: 0)',
    held: ' (the rule: one ghost after another until 8.1 s, 5.6; 1d1d3160^: until 3.1 s, 0.6)',
    cq: ' (the rule: none leaves the queue, 0; 1d1d3160^: requests 3-6 and 8, 5)',
    sockets: ' (request 2 in service, 1; 1d1d3160^ the same)',
  }),
  [QUEUED_ABORT]: figures27({
    received:
      ' (4867ac73: every request, each queued one given the slot at the give-up of the one ahead, 8; 4867ac73^: request 2 kept until its answer at 2.1 s, 3-6 withdrawn from the queue, 7 sent at 2.1 s, 3)',
    nobody: ' (4867ac73: requests 2-8, answered by the app 1 s after each receipt, 7; 4867ac73^: 2 and 7, 2)',
    burst:
      " (4867ac73: requests 3-8, each at its predecessor's give-up 1.65-2.15 s, 6; 4867ac73^: request 7 at 2.1 s, 1)",
    later: ' (4867ac73: 0, every stream ended by 2.35 s; 4867ac73^: 0)',
    last: ' (4867ac73: request 8 at 2.15 s; 4867ac73^: request 7 at 2.1 s)',
    queue: ' (4867ac73: 0; 4867ac73^: 0)',
    held: ' (4867ac73: 0, the last stream aborted at 2.25 s; 4867ac73^: request 7 until its answer at 3.1 s, 0.6)',
    cq: ' (4867ac73: 0, each queued request has the slot before its own client leaves; 4867ac73^: requests 3-6 and 8, 5)',
    sockets:
      " (the model keeps the aborted streams' connections until the app answers, 5; 4867ac73^: 1; stated before recording: HAProxy 2.6 may reset them at the abort, SC_FL_NOLINGER, then ≈ 1)",
  }),
};

/**
 * Rows whose 0 IS the rule tested (markZeros keeps them as mechanism rows), by `<run> / <figure>`,
 * stated before the recording.
 */
export const MECHANISM_ZEROS27: Record<string, string> = {
  [`${QUEUED} / ${HAPROXY27[QUEUED][8].figure}`]:
    '1d1d3160: without abortonclose a queued stream whose client left stays queued; 1d1d3160^ withdraws 5',
  [`${QUEUED_ABORT} / ${HAPROXY27[QUEUED_ABORT][6].figure}`]:
    "4867ac73: with abortonclose every stream ends at its client's close, s1 holds none after 2.35 s; 4867ac73^ 0.6",
  [`${QUEUED_ABORT} / ${HAPROXY27[QUEUED_ABORT][8].figure}`]:
    '4867ac73: each queued request has the slot (at the give-up of the one ahead) before its own client leaves; 4867ac73^ withdraws 5',
};

// ---------------------------------------------------------------- second batch: curl (c1b2514f)

/**
 * - clients32 c1b2514f — `clients.http.library: curl`: curl sends a request again, at once and on a
 *   new connection, when the keep-alive connection it reused fails under it before any byte of the
 *   answer (curl 7.88.1 lib/transfer.c Curl_retry_request(): conn->bits.reuse and bytecount +
 *   headerbytecount == 0, "Connection died, retrying a fresh connect"; lib/multi.c multi_runsingle()
 *   asks it on a done transfer or CURLE_RECV_ERROR) (sim/model/clients/http-library.ts). The model
 *   before it (c1b2514f^) failed such a request, as Node's http client does.
 *
 * Recorder calibration/haproxy/holdout27.mjs run haproxy-holdout27b-curl-resend-kill-tcp
 * (bare-lab.mjs; holdout27b-worker.mjs clients: curl processes; bare-l4-worker.mjs apps): HAProxy mode
 * tcp, roundrobin, retries 3, option redispatch; two bare node apps answering GET /slow/300 after
 * 300 ms (keepAliveTimeout 5000 ms); 12 curl processes 20 ms apart from 0.1 s, each fetching the URL 8
 * times on one keep-alive connection; kill -9 s2 at 1.55 s, when each of s2's 6 curls has a request in
 * flight on its reused connection: the app's kernel closes it (FIN: the request was read) and HAProxy
 * passes the close on. Tolerances as the first batch's: counts ±10 % (±2 near zero).
 */
export const CURL_KILL = 'haproxy-holdout27b-curl-resend-kill-tcp';

/** The second batch's rule. */
export const RULE27B: Record<string, string> = { [CURL_KILL]: 'c1b2514f' };

/** What the curl recording holds (bare-lab.mjs; holdout27b-worker.mjs clients). */
export interface CurlRec27 {
  stamp: { sourceCommit?: { commit?: string; dirty?: boolean } | null };
  /** `w <k> <http_code> <num_connects> <exitcode>`, `v <k> <t> <curl -v line>`, `exit <k> <code> <from> <to>`. */
  clientLines: string[];
  haproxyLines: Array<{ t: number; line: string }>;
}

/** curl's transfers (its -w lines) whose http_code is `code` (000: no answer), or every one. */
const transfers = (d: CurlRec27, code?: string): number =>
  d.clientLines.filter((l) => l.startsWith('w ') && (code === undefined || l.split(' ')[2] === code)).length;

const fig = (r: RunResult, name: string): number => r.figures[name] ?? 0;

export const CURL27: Record<string, Array<Figure14<CurlRec27>>> = {
  [CURL_KILL]: [
    {
      figure: 'transfers curl ran (its -w lines; twin: responses_2xx + requests_failed) (12 × 8, 96)',
      tolerance: COUNT,
      fixed: 'the input: 12 curl processes, 8 URLs each',
      sim: (runs) => overSeeds(runs, (r) => fig(r, 'responses_2xx.total') + fig(r, 'requests_failed.total')),
      real: (d) => transfers(d),
    },
    {
      figure:
        'transfers answered 200 (-w http_code; twin: responses_2xx) (c1b2514f: every one, 96; c1b2514f^: the 6 in flight at the kill lost, 90)',
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => fig(r, 'responses_2xx.total')),
      real: (d) => transfers(d, '200'),
    },
    {
      figure:
        "transfers that failed (-w http_code 000; twin: requests_failed) (c1b2514f: none, curl sends each again; c1b2514f^: the request in flight on each of s2's 6 reused connections, 6)",
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => fig(r, 'requests_failed.total')),
      real: (d) => transfers(d, '000'),
    },
    {
      figure:
        'curl\'s resends ("Connection died, retrying a fresh connect" in -v; twin: requests − responses_2xx − requests_failed, the writes lost and sent again) (c1b2514f: one per curl on s2, 6; c1b2514f^: 0)',
      tolerance: COUNT,
      sim: (runs) =>
        overSeeds(
          runs,
          (r) => fig(r, 'requests.total') - fig(r, 'responses_2xx.total') - fig(r, 'requests_failed.total'),
        ),
      real: (d) => d.clientLines.filter((l) => l.startsWith('v ') && /Connection died, retrying/.test(l)).length,
    },
    {
      figure:
        "client connections HAProxy logged (config.mjs LOG_FORMAT.tcp lines; twin: new_conn) (12 and one new one per curl on s2 — c1b2514f: the resend's; c1b2514f^: the next transfer's after the failure — 18)",
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => fig(r, 'new_conn.total')),
      real: (d) => d.haproxyLines.filter(({ line }) => line.startsWith('L ')).length,
    },
  ],
};

/** The second batch's rows whose 0 IS the rule tested, stated before its recording. */
export const MECHANISM_ZEROS27B: Record<string, string> = {
  [`${CURL_KILL} / ${CURL27[CURL_KILL][2].figure}`]:
    'c1b2514f: curl sends a request that failed on a reused connection before any byte again; c1b2514f^ fails 6',
};
