/**
 * Held-out validation, round 22 (session 28, hold22): the figures compared, computed the same way on
 * a twin's runs (the blind prediction) and on a recording. Two rules of session 27 that no recording
 * had checked, each in a run where the model before it gives other figures:
 *
 * - cc74eea6 (lcl4): in `lb.mode: l4` a stream counts on its server from its assignment
 *   (assign_server_and_queue() → sess_change_server(), src/backend.c, src/stream.c), through its
 *   refused connects and their turn-around pauses, until the give-up. The model before it
 *   (cc74eea6^) counted an l4 stream only once its connect succeeded: a burst of new streams all
 *   went to the idle server that refused them.
 * - a0dba616: `show stat` scur (active_conn) is sv->cur_sess (stats_fill_sv_stats(), src/stats.c),
 *   which back_handle_st_cer() (src/backend.c) lowers for each failed connect: a stream waiting out
 *   a turn-around pause keeps its slot but is out of scur. The model before it (a0dba616^) read
 *   `served`.
 *
 * Recorder calibration/haproxy/holdout22.mjs: run (a) on bare-lab.mjs (mode tcp, bare WebSocket
 * apps; s1 UP for the whole run, so no uptime table: flat predictions), run (b) on lab.mjs (mode
 * http, its predictions a table over HAProxy's start before t0, `lb.uptime`, read at the start the
 * recording states, round 7's). Twins calibration/scenarios/<run>.yaml; predictions
 * calibration/data/holdout22-predictions.json (which keeps each figure's tolerance). Every tolerance
 * is stated here, before any recording: counts ±10 % (±2 near zero).
 */
import type { RunResult } from '../../sim/result.js';
import { mean, series } from '../model/helpers.js';
import { recordsOf } from '../trace/records-of.js';
import { overSeeds, type Tolerance, totalIn } from './heldout-table.js';
import { answeredIn, type HaproxyRec8 } from './holdout8-figures.js';
import type { Figure14 } from './holdout14-figures.js';

const COUNT: Tolerance = { count: true };

export const REFUSED_BURST = 'haproxy-holdout22-leastconn-refused-burst-3srv-tcp';
export const SCUR_KILL = 'haproxy-holdout22-leastconn-scur-kill-3srv-http';

/** Which rule each run tests (the old model of its rows: `git archive <rule>^`). */
export const RULE22: Record<string, string> = { [REFUSED_BURST]: 'cc74eea6', [SCUR_KILL]: 'a0dba616' };

/** A `show stat` row of one server (lab.mjs / bare-lab.mjs STAT_FIELDS). */
interface StatRow {
  scur?: number;
  wretr?: number;
}
/** A `show stat` sample, s from t0: per server (and `be`), or the socket's error. */
type Sample = { t: number; error?: string } & Record<string, StatRow | number | string | undefined>;

/** What a round-22 bare-lab.mjs recording holds (run a). */
export interface BareRec22 {
  stamp: { sourceCommit?: { commit?: string; dirty?: boolean } | null; load: string };
  /** The clients' lines, times in s from t0: `open <t> <slot> <server>`, `fail <t> <slot> <what>`, `close …`. */
  clientLines: string[];
  samples: Sample[];
}

/** What a round-22 lab.mjs recording holds (run b): round 8's, with its `show stat` samples. */
export interface HaproxyRec22 extends HaproxyRec8 {
  samples: Sample[];
}

/** `server`'s scur in the samples whose time is in (from, to] (samples without the row skipped). */
const scurSamples = (samples: Sample[], server: string, from: number, to: number): number[] =>
  samples.flatMap((s) => {
    const row = s[server] as StatRow | undefined;
    return s.t > from && s.t <= to && typeof row?.scur === 'number' ? [row.scur] : [];
  });

/** The mean of `server`'s active_conn samples (show stat's scur) whose time is in (from, to], per run. */
const simScurMean = (r: RunResult, server: string, from: number, to: number): number =>
  mean(
    series(r, 'active_conn', server)
      .filter(([t]) => t > from + 1e-9 && t <= to + 1e-9)
      .map(([, v]) => v),
  );

/** `server`'s mean scur over the samples in (from, to] s: show stat every 250 ms; the twin's active_conn, 250-ms samples. */
function scurMean<D extends { samples: Sample[] }>(
  server: string,
  from: number,
  to: number,
  what: string,
): Figure14<D> {
  return {
    figure: `${server} scur, mean of the show-stat samples in (${from}, ${to}] s${what}`,
    tolerance: COUNT,
    sim: (runs) => overSeeds(runs, (r) => simScurMean(r, server, from, to)),
    real: (d) => mean(scurSamples(d.samples, server, from, to)),
  };
}

/** The clients' lines of `kind` (open, fail) whose time is in (from, to] s, `server` (open lines) when given. */
const clientLinesIn = (d: BareRec22, kind: string, from: number, to: number, server?: string): number =>
  d.clientLines
    .map((l) => l.split(' '))
    .filter(
      (f) => f[0] === kind && Number(f[1]) > from && Number(f[1]) <= to && (server === undefined || f[3] === server),
    ).length;

/** WebSocket sessions `server` opened in (0, to] s: the clients' `open` lines (a 101 from it); the twin's new_conn. */
const opened = (server: string, to: number, what: string): Figure14<BareRec22> => ({
  figure: `${server} sessions opened in (0, ${to}] s (client 'open' lines; twin: new_conn)${what}`,
  tolerance: COUNT,
  sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'new_conn', 0, to, server)),
  real: (d) => clientLinesIn(d, 'open', 0, to, server),
});

/**
 * Upgrades that failed in (from, to] s: the clients' `fail` lines (HAProxy closed the client
 * connection after s1's last retry: EOF); the twin's client errors.
 */
const failed = (from: number, to: number, what: string): Figure14<BareRec22> => ({
  figure: `upgrades failed in (${from}, ${to}] s (client 'fail' lines; twin: errors)${what}`,
  tolerance: COUNT,
  sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'errors', from, to)),
  real: (d) => clientLinesIn(d, 'fail', from, to),
});

/**
 * s1's `show stat` wretr at the last sample at or before `at` s; the twin: retries 3 × its client
 * errors by then (every one a give-up on s1; the event log folds repeated lb.connect_failed lines, so
 * its records undercount).
 */
const s1RetriesBy = (at: number): Figure14<BareRec22> => ({
  figure: `s1 wretr at the last show-stat sample by ${at} s (twin: 3 retries × the failed upgrades)`,
  tolerance: COUNT,
  derived: 'retries 3 × the give-ups: the failed-upgrade rows (every stream s1 took by then had given up)',
  sim: (runs) => overSeeds(runs, (r) => 3 * totalIn(r, 'errors', 0, at)),
  real: (d) => {
    const last = d.samples.filter((s) => s.t <= at && typeof (s.s1 as StatRow | undefined)?.wretr === 'number').at(-1);
    return last ? ((last.s1 as StatRow).wretr as number) : null;
  },
});

/** HAProxy's 503s whose stream ended in (from, to] s (log status 503 by end time); the twin's 5xx answers. */
const answers503In = (from: number, to: number, what: string): Figure14<HaproxyRec22> => ({
  figure: `503 answers in (${from}, ${to}] s (log: status 503 by end time; twin: 5xx answers)${what}`,
  tolerance: COUNT,
  sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'req_5xx', from, to)),
  real: (d) => d.haproxyLog.filter((l) => String(l[3]) === '503' && l[1] > from && l[1] <= to).length,
});

/** Answers `server` gave whose done time is in (from, to] s (the request log, outcome ok; the twin's goodput samples). */
const answersIn = (server: string, from: number, to: number, what: string): Figure14<HaproxyRec22> => ({
  figure: `${server} answers in (${from}, ${to}] s${what}`,
  tolerance: COUNT,
  sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'goodput', from, to, server)),
  real: (d) => answeredIn(d, server, from, to),
});

/** s1's DOWN lines in the whole run: `fall 20` keeps it UP (the run's design). */
const s1NeverDown: Figure14<HaproxyRec22> = {
  figure: "s1 DOWN lines in the run ('Server be/s1 is DOWN'; twin: hc.down)",
  tolerance: COUNT,
  fixed:
    'the input: `fall 20`, inter 2 s: 20 failed checks take ≈ 40 s after the kill at 2.97 s; the row shows s1 UP throughout',
  sim: (runs) => recordsOf(runs[0], 'hc.down').filter((x) => x.backend === 's1').length,
  real: (d) => d.events.haproxyMessages.filter((x) => x.line.startsWith('Server be/s1 is DOWN')).length,
};

/** Run (a): flat predictions (s1 UP throughout: the check phase decides nothing). */
export const BARE22: Record<string, Array<Figure14<BareRec22>>> = {
  [REFUSED_BURST]: [
    opened(
      's2',
      17.5,
      " (the burst goes s1, s2, s3, … with s1's refused streams counted: a third, 10; uncounted, s1 stays at key 0 and takes all 30: 0)",
    ),
    opened('s3', 17.5, ' (a third, 10; uncounted: 0)'),
    failed(0, 4.5, " (s1's share of the burst, given up after 3 retries 1 s apart: 10; uncounted: 30)"),
    failed(4.5, 17.5, ' (the same streams back 1 s later, all to s1 at key 0, three more times: 30; uncounted: 90)'),
    scurMean('s2', 2, 17.5, ' (its 10 open sessions; uncounted: 0)'),
    scurMean('s3', 2, 17.5, ' (10; uncounted: 0)'),
    scurMean(
      's1',
      1,
      17.5,
      ' (its streams, counted in served, spend their time in turn-around pauses, out of cur_sess: 0)',
    ),
    s1RetriesBy(17.5),
  ],
};

/** Run (b): HAProxy rows over the lb.uptime grid (round 7's). */
export const HAPROXY22: Record<string, Array<Figure14<HaproxyRec22>>> = {
  [SCUR_KILL]: [
    scurMean(
      's1',
      8,
      23,
      ' (leastconn keeps ≈ 4 streams on s1, each in a turn-around pause out of cur_sess: 0; served, as before a0dba616: ≈ 4)',
    ),
    scurMean('s2', 8, 23, ' (≈ 4-5 requests waiting their 4.85 s)'),
    scurMean('s3', 8, 23, ' (≈ 4-5 requests waiting their 5.15 s)'),
    answers503In(8.5, 23.5, " (s1's streams given up after 3 retries)"),
    answersIn('s2', 8.5, 23.5, ' (4.85-s answers)'),
    answersIn('s3', 8.5, 23.5, ' (5.15-s answers)'),
    s1NeverDown,
  ],
};

/** Rows whose 0 IS the rule tested (markZeros keeps them as mechanism rows), by `<run> / <figure>`. */
export const MECHANISM_ZEROS22: Record<string, string> = {
  [`${REFUSED_BURST} / ${BARE22[REFUSED_BURST][6].figure}`]:
    "a0dba616 with cc74eea6: s1's refused streams are in its served (leastconn's count) but out of cur_sess during their pauses; a model reading served gives 10",
  [`${SCUR_KILL} / ${HAPROXY22[SCUR_KILL][0].figure}`]: "a0dba616: s1's streams in their pauses are out of cur_sess",
};

// ---------------------------------------------------------------- second batch: nginx (ws27)

export const WS_WORKER_FULL = 'nginx-holdout22-ws-wc10-reset';

/** The second batch's rule: 1a3a2042 (ws27), a refused WebSocket upgrade is a client error of the kind read. */
export const RULE22B: Record<string, string> = { [WS_WORKER_FULL]: '1a3a2042' };

/** A recording of calibration/nginx/holdout22.mjs (experiment.mjs: times `s` from t0, the client's start). */
export interface NginxRec22 {
  stamp: { sourceCommit?: { commit?: string; dirty?: boolean } | null };
  /** client.mjs: tun-open (status: the answer's), tun-close (how: the first of eof / an errno / client-closed; upgraded: an answer came). */
  clientEvents: Array<{ ev: string; s: number; id?: string; status?: number; how?: string; upgraded?: boolean }>;
  /** error.log messages by kind (experiment.mjs errorLogCounts: numbers as N). */
  errorLogCounts: Record<string, number>;
}

/** Tunnels that ended with no answer at all (tun-close, upgraded false), `how` when given. */
const unanswered = (d: NginxRec22, how?: string): number =>
  d.clientEvents.filter((e) => e.ev === 'tun-close' && e.upgraded === false && (how === undefined || e.how === how))
    .length;

export const NGINX22: Record<string, Array<Figure14<NginxRec22>>> = {
  [WS_WORKER_FULL]: [
    {
      figure:
        "upgrades answered 101 (client 'tun-open' status 101; twin: ws_sessions max) (4 tunnels × 2 connections fill the 8 left by the listener and the channel)",
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => r.figures['ws_sessions.max'] ?? 0),
      real: (d) => d.clientEvents.filter((e) => e.ev === 'tun-open' && e.status === 101).length,
    },
    {
      figure:
        "upgrades that read ECONNRESET before any answer (client 'tun-close', not upgraded; twin: err_econnreset) (nginx accepts and closes with the request unread: an RST; before 1a3a2042 no client error: 0)",
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => r.figures['err_econnreset.total'] ?? 0),
      real: (d) => unanswered(d, 'ECONNRESET'),
    },
    {
      figure:
        "upgrades refused, any kind (client 'tun-close' with no answer, or an answer not 101; twin: client errors) (4; before 1a3a2042: 0)",
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => r.figures['errors.total'] ?? 0),
      real: (d) =>
        unanswered(d) +
        d.clientEvents.filter((e) => e.ev === 'tun-open' && e.status !== undefined && e.status !== 101).length,
    },
    {
      figure:
        "nginx's 'worker_connections are not enough' lines (error.log; twin: reset_out, its closes at the accept) (one per refused upgrade)",
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => r.figures['reset_out.total'] ?? 0),
      real: (d) =>
        Object.entries(d.errorLogCounts)
          .filter(([k]) => k.includes('worker_connections are not enough'))
          .reduce((a, [, n]) => a + n, 0),
    },
  ],
};
