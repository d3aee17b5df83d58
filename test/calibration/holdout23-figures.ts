/**
 * Held-out validation, round 23 (session 29, hold23): the figures compared, computed the same way on
 * a twin's runs (the blind prediction) and on a recording. Session 28's rule that no recording had
 * checked: app28 538d8a1c with fin28 3444c24d, `app.sigterm_keepalive: gunicorn` — after SIGTERM the
 * gthread worker keeps its listening socket open, unattended, until it exits (the kernel completes
 * connects into the backlog: they succeed, then read ECONNRESET at the exit, inet_csk_listen_stop →
 * inet_child_forget), and it exits once it holds no accepted connection (workers/gthread.py run(),
 * gunicorn 24.0-26.1: `set_accept_enabled(False)`, `while self.nr_conns > 0`, then `for s in
 * self.sockets: s.close()`), bounded by graceful_timeout. The model before 538d8a1c closed the
 * listener at the SIGTERM (connects refused at once); before 3444c24d a VM's app exited only at
 * shutdown_grace's kill.
 *
 * Debian 12's gunicorn (python3-gunicorn 20.1.0) is OLDER than the rule's source: its gthread run()
 * loops `while self.alive`, and once SIGTERM has cleared `alive` it leaves that loop at the poller's
 * next wake-up (poller.select(1.0): the next connect, or 1 s), closes its listening sockets at once
 * (`for s in self.sockets: s.close()` right after the loop) and only then waits for the requests in
 * hand (`futures.wait(self.futures, timeout=self.cfg.graceful_timeout)`); the arbiter has closed its
 * own copy (arbiter.py Arbiter.stop → sock.close_sockets), so connects are refused from then on — the
 * old model's behaviour, not the rule's. The `set_accept_enabled(False)` / `nr_conns` loop came with
 * 24.0.0 (benoitc/gunicorn b43dc6d3, "gthread: Improve reliability and fix edge cases"; 21.2.0, 22.0.0
 * and 23.0.0 still have 20.1.0's run()). So the round records the same load twice: run `v20` on
 * Debian's gunicorn 20.1.0, where the model is EXPECTED to miss the rows its rule decides (the model
 * has no gunicorn version: its `gunicorn` value is 24.0+), and run `v24` on gunicorn 24.0.0 (the
 * benoitc/gunicorn tag's pure-Python package, on Debian's python3), where the rule applies.
 *
 * Recorder calibration/gunicorn/holdout23.mjs (client.mjs, app.py). Twins
 * calibration/scenarios/<run>.yaml (the same settings for both runs); predictions
 * calibration/data/holdout23-predictions.json (with each figure's tolerance). Every tolerance is
 * stated here, before any recording: counts ±10 % (±2 near zero), the first refusal's time ±0.25 s.
 *
 * The load (both runs): one new connection every 100 ms from t0 (80), each one `GET /` answered after
 * 2 s; SIGTERM to the arbiter at 3.05 s. At the SIGTERM the worker holds the 20 requests of the
 * connects at 1.1-3.0 s (done by 5.0 s). Every window ends 25 ms from every connect, answer and the
 * SIGTERM (the twin's samples are 25 ms).
 */
import type { RunResult } from '../../sim/result.js';
import { series } from '../model/helpers.js';
import { overSeeds, type Tolerance, totalIn } from './heldout-table.js';
import type { Figure14 } from './holdout14-figures.js';

const COUNT: Tolerance = { count: true };
/** The twin's sample times are sums of 25 ms in floating point (3.0250000000000004): a window's ends are taken 1 ns later. */
const EPS = 1e-9;

export const V20 = 'gunicorn-holdout23-gthread-sigterm-v20';
export const V24 = 'gunicorn-holdout23-gthread-sigterm-v24';

/** The SIGTERM, s from t0 (the recorder's sigtermMs; the twin's timeline). */
export const SIGTERM_S = 3.05;

/** Which rule each run tests (the old model of its rows: `git archive <rule>^`). */
export const RULE23: Record<string, string> = { [V20]: '538d8a1c', [V24]: '538d8a1c' };

/** One connection of the recording (client.mjs): times s from t0; outcome 'ok' (then status), an errno, or EOF. */
export interface Conn23 {
  k: number;
  startS: number;
  connectS: number | null;
  outcome: string | null;
  status: number | null;
  endS: number | null;
}

/** What a round-23 recording holds (calibration/gunicorn/holdout23.mjs). */
export interface GunicornRec23 {
  stamp: {
    sourceCommit?: { commit?: string; dirty?: boolean } | null;
    gunicornVersion: string;
    loadavgAtStart: string;
  };
  sigtermS: number;
  exits: { worker: number | null; arbiter: number | null };
  conns: Conn23[];
  gunicornLog: string[];
}

/** The recording's connections that ended with `outcome` (and status, for 'ok') in (from, to] s. */
const endedIn = (d: GunicornRec23, outcome: string, from: number, to: number, status?: number): number =>
  d.conns.filter(
    (c) =>
      c.outcome === outcome &&
      c.endS !== null &&
      c.endS > from &&
      c.endS <= to &&
      (status === undefined || c.status === status),
  ).length;

/** Client errors of one kind in (from, to] s: the recording's connections, the twin's err_<kind> samples. */
const errorsIn = (
  kind: 'ECONNREFUSED' | 'ECONNRESET',
  from: number,
  to: number,
  what: string,
): Figure14<GunicornRec23> => ({
  figure: `${kind} in (${from}, ${to}] s (client.mjs outcomes by end time; twin: err_${kind.toLowerCase()})${what}`,
  tolerance: COUNT,
  sim: (runs) => overSeeds(runs, (r) => totalIn(r, `err_${kind.toLowerCase()}`, from + EPS, to + EPS)),
  real: (d) => endedIn(d, kind, from, to),
});

/** 200 answers whose end is in (from, to] s: the recording's `ok` 200s, the twin's responses_2xx samples. */
const answersIn = (from: number, to: number, what: string, fixed?: string): Figure14<GunicornRec23> => ({
  figure: `200 answers in (${from}, ${to}] s (client.mjs; twin: responses_2xx)${what}`,
  tolerance: COUNT,
  fixed,
  sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'responses_2xx', from + EPS, to + EPS)),
  real: (d) => endedIn(d, 'ok', from, to, 200),
});

/** The twin's first sample after the SIGTERM with a refused connect: its middle (samples 25 ms), or null. */
const simFirstRefused = (r: RunResult): number | null => {
  const hit = series(r, 'err_econnrefused').find(([t, v]) => t > SIGTERM_S && v > 0);
  return hit ? hit[0] - 0.0125 : null;
};

/** When the first connect after the SIGTERM was refused (s from t0): the listener's close. */
const firstRefused: Figure14<GunicornRec23> = {
  figure:
    'the first ECONNREFUSED after the SIGTERM, s from t0 (client.mjs end time; twin: the middle of its first err_econnrefused sample) (the listener closed)',
  tolerance: { seconds: 0.25 },
  sim: (runs) => {
    const times = runs.map(simFirstRefused);
    return times.some((x) => x === null) ? null : overSeeds(runs, (r) => simFirstRefused(r) as number);
  },
  real: (d) => {
    const ends = d.conns
      .filter((c) => c.outcome === 'ECONNREFUSED' && (c.endS ?? 0) > SIGTERM_S)
      .map((c) => c.endS as number);
    return ends.length > 0 ? Math.min(...ends) : null;
  },
};

/** The rows of one run (both runs: the same load, the same twin). */
const rowsOf = (): Array<Figure14<GunicornRec23>> => [
  errorsIn(
    'ECONNREFUSED',
    3.025,
    4.975,
    ' (the rule: the listener kept to the exit at ≈ 5.05 s, 0; closed at the SIGTERM, as before 538d8a1c and as gunicorn 20.1.0 does at its next wake-up: the connects at 3.1 (or 3.2)-4.9 s, 18-19)',
  ),
  errorsIn(
    'ECONNRESET',
    3.025,
    7.975,
    ' (the rule: the connects parked in the kept listener from 3.1 to 5.0 s, reset at the exit: 20; a listener closed at the SIGTERM: 0)',
  ),
  firstRefused,
  errorsIn('ECONNREFUSED', 5.525, 7.975, ' (after the exit under every model: the connects at 5.6-7.9 s, 24)'),
  answersIn(
    3.025,
    7.975,
    ' (the requests in hand at the SIGTERM, served: the connects at 1.1-3.0 s, 20; one more where the worker accepts the connect that wakes it)',
  ),
  answersIn(0, 3.025, ' (before the SIGTERM: the connects at 0-1.0 s, 11)', 'the input: 100-ms pacing and 2-s answers'),
];

export const GUNICORN23: Record<string, Array<Figure14<GunicornRec23>>> = { [V20]: rowsOf(), [V24]: rowsOf() };

/**
 * Rows whose 0 IS the rule tested (markZeros keeps them as mechanism rows), by `<run> / <figure>`.
 * Added after the recording (a marking only: no value, figure or tolerance changes; the digest does
 * not cover it): v24's 0 refusals while draining is the kept listener — 538d8a1c^ gives 19.
 */
export const MECHANISM_ZEROS23: Record<string, string> = {
  [`${V24} / ${GUNICORN23[V24][0].figure}`]:
    '538d8a1c: the listener kept open until the exit, no connect refused while the worker drains; a listener closed at the SIGTERM gives 19',
};

// ---------------------------------------------------------------- second batch: HAProxy (maintpool28)

export const MAINT_POOL = 'haproxy-holdout23b-maint-idle-pool-reuse-always-2srv-http';

/** The second batch's rule: f2ee716b (maintpool28), a running server entering maint closes its idle server connections. */
export const RULE23B: Record<string, string> = { [MAINT_POOL]: 'f2ee716b' };

/** A `show stat` row of one server (lab.mjs STAT_FIELDS). */
interface StatRow23 {
  idle_conn_cur?: number;
  safe_conn_cur?: number;
}
/** A `show stat` sample, s from t0: per server (and `be`), or the socket's error. */
type Sample23 = { t: number; error?: string } & Record<string, StatRow23 | number | string | undefined>;

/** What a round-23 lab.mjs recording holds (the second batch): its `show stat` samples. */
export interface HaproxyRec23 {
  stamp: { sourceCommit?: { commit?: string; dirty?: boolean } | null };
  samples: Sample23[];
}

/** `server`'s idle server connections (both lists: idle_conn_cur + safe_conn_cur) in the samples in (from, to]. */
const idleSamples = (d: HaproxyRec23, server: string, from: number, to: number): number[] =>
  d.samples.flatMap((s) => {
    const row = s[server] as StatRow23 | undefined;
    return s.t > from && s.t <= to && typeof row?.idle_conn_cur === 'number'
      ? [row.idle_conn_cur + (row.safe_conn_cur ?? 0)]
      : [];
  });

/** The mean of `server`'s lb_idle_conns samples (250 ms) in (from, to], per run. */
const simIdleMean = (r: RunResult, server: string, from: number, to: number): number => {
  const xs = series(r, 'lb_idle_conns', server)
    .filter(([t]) => t > from + EPS && t <= to + EPS)
    .map(([, v]) => v);
  return xs.reduce((a, b) => a + b, 0) / xs.length;
};

/** `server`'s idle server connections, mean over the show-stat samples in (from, to] s; the twin's lb_idle_conns. */
const idleMean = (server: string, from: number, to: number, what: string): Figure14<HaproxyRec23> => ({
  figure: `${server} idle server connections (show stat idle_conn_cur + safe_conn_cur), mean of the samples in (${from}, ${to}] s (twin: lb_idle_conns)${what}`,
  tolerance: COUNT,
  sim: (runs) => overSeeds(runs, (r) => simIdleMean(r, server, from, to)),
  real: (d) => {
    const xs = idleSamples(d, server, from, to);
    return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
  },
});

/** The second batch's run: flat predictions (checks pass throughout; the maint comes by command, not by a check). */
export const HAPROXY23B: Record<string, Array<Figure14<HaproxyRec23>>> = {
  [MAINT_POOL]: [
    idleMean('s1', 1, 2.5, ' (the pool under load: the connections between two requests)'),
    idleMean('s1', 2.75, 4, ' (the client stopped at 2.5 s: every connection s1 used, idle, kept by the purge)'),
    idleMean(
      's1',
      4.25,
      7.75,
      ' (after `set server be/s1 state maint` at 4.006 s: srv_cleanup_connections() empties both lists, 0; before f2ee716b they stayed to the purge)',
    ),
    idleMean(
      's2',
      4.25,
      7.75,
      ' (s2 is not in maint: its pool stays, the purge killing only what exceeds the last period’s use)',
    ),
  ],
};

/** The second batch's rows whose 0 IS the rule tested (stated before its recording). */
export const MECHANISM_ZEROS23B: Record<string, string> = {
  [`${MAINT_POOL} / ${HAPROXY23B[MAINT_POOL][2].figure}`]:
    'f2ee716b: srv_cleanup_connections() at the maint empties both idle lists; f2ee716b^ keeps the 5 to the purge',
};

// ---------------------------------------------------------------- third batch: nginx (ka28)

export const KA_TIME = 'nginx-holdout23c-upstream-ka4-time2s-think300';

/** The third batch's rule: aa55f4c6 (ka28), an upstream connection older than keepalive_time is not cached. */
export const RULE23C: Record<string, string> = { [KA_TIME]: 'aa55f4c6' };

/** What a round-23 nginx recording holds (nginx/experiment.mjs: times `s` from t0). */
export interface NginxRec23 {
  stamp: { sourceCommit?: { commit?: string; dirty?: boolean } | null };
  clientEvents: Array<{ ev: string; s: number; out?: string; status?: number }>;
  backendEvents: Array<{ ev: string; s: number }>;
}

/** The app's accepts (backend.mjs up-conn: nginx's upstream connects) in (from, to] s; the twin's upstream_connects. */
const upstreamConnectsIn = (from: number, to: number, what: string, fixed?: string): Figure14<NginxRec23> => ({
  figure: `upstream connections nginx opened in (${from}, ${to}] s (backend.mjs up-conn; twin: upstream_connects)${what}`,
  tolerance: COUNT,
  fixed,
  sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'upstream_connects', from + EPS, to + EPS)),
  real: (d) => d.backendEvents.filter((e) => e.ev === 'up-conn' && e.s > from && e.s <= to).length,
});

export const NGINX23C: Record<string, Array<Figure14<NginxRec23>>> = {
  [KA_TIME]: [
    upstreamConnectsIn(
      0,
      2.25,
      ' (the first, at the first request)',
      'the input: one client connection, its first request',
    ),
    upstreamConnectsIn(
      2.25,
      8.5,
      ' (each connection closed after its answer at age ≈ 2.1 s > keepalive_time 2 s, the next request 300 ms later opens one: ≈ 2.4, 4.8, 7.2 s, 3; before aa55f4c6 the first is cached for the run: 0)',
    ),
    {
      figure:
        "requests answered 200 (client.mjs req, out ok; twin: responses_2xx) (27: one every 300 ms + the answer's time, 0-7.8 s)",
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => r.figures['responses_2xx.total'] ?? 0),
      real: (d) => d.clientEvents.filter((e) => e.ev === 'req' && e.out === 'ok' && e.status === 200).length,
    },
  ],
};
