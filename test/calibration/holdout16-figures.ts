/**
 * Held-out validation, round 16 (session 24, hold16): the figures compared, computed the same way on
 * a twin's runs (the blind prediction) and on a recording. Each run tests `http-check
 * disable-on-404` (a8e458a) in mode http (calibration/haproxy/holdout16.mjs), where session 23
 * recorded mode tcp only: a NOLB server takes no new non-persistent request, kept-alive client
 * connections included; its cookie users stay; a refused connect to it is redispatched at once; the
 * next 2xx brings it back. Twins calibration/scenarios/<name>.yaml; predictions
 * calibration/data/holdout16-predictions.json (which keeps each figure's tolerance). The twin
 * runner, the seeds and the uptime grid are round 7's (holdout7-figures.ts), the HAProxy recording
 * shape round 8's. Every tolerance is stated here, before any recording: counts ±10 % (±2 near
 * zero); the NOLB and the UP after the 200 ±0.15 s (a check of the stated phase: the uptime grid's
 * 25 ms and the checks' drift, ≈ 1 ms a check; hc404's tcp run: 0.753 / 0.748 s); the DOWN after the
 * kill ±0.25 s (three checks after the NOLB); the longest wait ±0.5 s (a quarter of the 2 s the
 * rule moves it by).
 */
import { recordsOf } from '../trace/records-of.js';
import { overSeeds, totalIn } from './heldout-table.js';
import { COUNT, clientErrors, type HaproxyRec7 } from './holdout7-figures.js';
import { answeredIn, type HaproxyRec8, longestWait } from './holdout8-figures.js';
import type { Figure14 } from './holdout14-figures.js';

/** The first of HAProxy's own "Server be/<server> is <state>" lines after `after` s (t0's clock). */
export function serverLineAfter(d: HaproxyRec7, server: string, state: string, after: number): number | null {
  const m = d.events.haproxyMessages.find((x) => x.t > after && x.line.startsWith(`Server be/${server} is ${state}`));
  return m ? m.t : null;
}

/** The twin's first `kind` record of `server` after `after` s (seed 1: the checks do not draw). */
function simRecordAfter(
  runs: Parameters<Figure14<HaproxyRec8>['sim']>[0],
  kind: 'hc.stopping' | 'hc.up' | 'hc.down',
  server: string,
  after: number,
): number | null {
  const r = recordsOf(runs[0], kind).find((x) => x.backend === server && x.t > after);
  return r ? r.t : null;
}

const minus = (x: number | null, t0: number): number | null => (x === null ? null : x - t0);

/**
 * How long after `at` s HAProxy logged `server` "is stopping" (NOLB), "is UP" or "is DOWN"; the
 * twin's first hc.stopping / hc.up / hc.down after `at`.
 */
function stateAfter(
  figure: string,
  server: string,
  state: 'stopping' | 'UP' | 'DOWN',
  at: number,
  seconds: number,
): Figure14<HaproxyRec8> {
  const kind = state === 'stopping' ? 'hc.stopping' : state === 'UP' ? 'hc.up' : 'hc.down';
  return {
    figure,
    tolerance: { seconds },
    sim: (runs) => minus(simRecordAfter(runs, kind, server, at), at),
    real: (d) => minus(serverLineAfter(d, server, state, at), at),
  };
}

/** s1's NOLB after the 404 at 4.008 s: its next check (HCHK_STATUS_L7OKCD), no fall count. */
const nolbAfter404 = stateAfter(
  '404 (4.008 s) → s1 NOLB (s) (HAProxy: "Server be/s1 is stopping"; twin: hc.stopping)',
  's1',
  'stopping',
  4.008,
  0.15,
);

/**
 * Answers `servers` gave whose done time is in (from, to] s (the recorder's request log, outcome ok;
 * the twin's goodput samples, 1 s apart, whose time is in (from, to]).
 */
const answersIn = (servers: string[], from: number, to: number, what: string): Figure14<HaproxyRec8> => ({
  figure: `${servers.join(' and ')} answers in (${from}, ${to}] s${what}`,
  tolerance: COUNT,
  sim: (runs) =>
    overSeeds(runs, (r) => servers.reduce((a, s) => a + totalIn(r, 'goodput', from + 0.5, to + 0.5, s), 0)),
  real: (d) => servers.reduce((a, s) => a + answeredIn(d, s, from, to), 0),
});

/** Streams HAProxy retried or redispatched, started in [from, to) s: log %rc > 0 or "+"; the twin's attempts beyond one per request in (from, to]. */
const retriedIn = (from: number, to: number, what: string): Figure14<HaproxyRec8> => ({
  figure: `retried or redispatched streams in [${from}, ${to}) s (log %rc > 0 or "+"; twin: attempts beyond one per request)${what}`,
  tolerance: COUNT,
  sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'attempts', from, to) - totalIn(r, 'offered', from, to)),
  real: (d) => d.haproxyLog.filter((l) => l[0] >= from && l[0] < to && (l[5] > 0 || l[6] === 1)).length,
});

const KEEPALIVE = 'haproxy-holdout16-404-200-keepalive-3srv-http';
const KILL_SAME = 'haproxy-holdout16-404-kill-noredispatch-3srv-http';
const KILL_REDISPATCH = 'haproxy-holdout16-404-kill-redispatch-3srv-http';
const COOKIE_KILL = 'haproxy-holdout16-cookie-404-kill-redispatch-3srv-http';

const S1_NOLB_ANSWERS = ' (NOLB since ≤ 6.1 s: no request on the 12 kept-alive connections reaches it)';
const KILL_ERRORS = ' (none: the NOLB s1 takes no request before or after its kill at 8.008 s)';
const KILL_RETRIED = ' (none: no request is sent to the NOLB s1, so none meets its closed listener)';

/**
 * Rows whose 0 IS the rule tested (markZeros keeps them as mechanism rows), by `<run> / <figure>`,
 * with the old model's figure: without the rule (the model before a8e458a has no disable-on-404:
 * its twin is this one without the 404, so s1 stays UP and in the roundrobin) the figure is far from 0.
 */
export const MECHANISM_ZEROS16: Record<string, string> = {
  [`${KEEPALIVE} / s1 answers in (7, 10] s${S1_NOLB_ANSWERS}`]:
    'a8e458a: without it s1 keeps its third of the requests (about 60)',
  [`${KILL_SAME} / ${clientErrors.figure}${KILL_ERRORS}`]:
    'a8e458a: without it s1 keeps its roundrobin turns until its DOWN, each refused and 503 after 3 retries',
  [`${KILL_REDISPATCH} / retried or redispatched streams in [4, 16) s (log %rc > 0 or "+"; twin: attempts beyond one per request)${KILL_RETRIED}`]:
    'a8e458a: without it each of s1’s roundrobin turns until its DOWN is refused and redispatched',
};

export const HAPROXY16: Record<string, Array<Figure14<HaproxyRec8>>> = {
  [KEEPALIVE]: [
    nolbAfter404,
    // From NOLB the server has full health: the first passed check is UP (srv_set_running()), no rise.
    stateAfter('200 (10.008 s) → s1 UP (s) (its next check: from NOLB no rise count)', 's1', 'UP', 10.008, 0.15),
    answersIn(['s1'], 7, 10, S1_NOLB_ANSWERS),
    {
      ...answersIn(['s2', 's3'], 7, 10, ' (every request while s1 is NOLB)'),
      // Marked after the recording (hold16; value and tolerance unchanged, not in the digest).
      derived: "the 180 requests of (7, 10] s less s1's answers (the row above), none failing",
    },
    // UP again by 12.1 s whatever the checks' phase: back in the roundrobin, a third.
    answersIn(['s1'], 13, 16, ' (UP again: its third of the requests)'),
    clientErrors,
  ],
  [KILL_SAME]: [
    nolbAfter404,
    { ...clientErrors, figure: `${clientErrors.figure}${KILL_ERRORS}` },
    {
      ...answersIn(['s2', 's3'], 9, 16, ' (every request: s1, NOLB then dead, takes none)'),
      // Marked after the recording (hold16; value and tolerance unchanged, not in the digest).
      derived: 'the 420 requests of (9, 16] s, none failing (the errors row) and s1 killed at 8.008 s',
    },
    // Full health at the NOLB: three failed checks (fall 3, 2 s apart) from the first after the kill.
    stateAfter('kill -9 s1 (8.008 s) → s1 DOWN (s)', 's1', 'DOWN', 8.008, 0.25),
  ],
  [KILL_REDISPATCH]: [
    nolbAfter404,
    retriedIn(4, 16, KILL_RETRIED),
    clientErrors,
    stateAfter('kill -9 s1 (8.008 s) → s1 DOWN (s)', 's1', 'DOWN', 8.008, 0.25),
  ],
  [COOKIE_KILL]: [
    nolbAfter404,
    // Its cookie users (5 of 15: roundrobin at their first request) stay: 4 req/s each.
    answersIn(['s1'], 7, 9, ' (NOLB: its cookie users stay on it)'),
    // Each of s1's users once: its next request is refused, redispatched, and takes the new server's cookie.
    retriedIn(9, 16, " (s1's users after its kill: refused, redispatched once each)"),
    // The redispatched request waits one refused connect (STOPPING < RUNNING: at once), not two 1-s turn-arounds.
    { ...longestWait, tolerance: { seconds: 0.5 } },
    clientErrors,
    stateAfter('kill -9 s1 (9.008 s) → s1 DOWN (s)', 's1', 'DOWN', 9.008, 0.25),
  ],
};
