/**
 * Held-out validation, round 12 (session 21, hold12): the figures compared, computed the same way
 * on a twin's runs (the blind prediction) and on a recording. Runs: calibration/haproxy/holdout12.mjs
 * (per-server maxconn with `timeout queue` and a kill -9; slowstart with a second kill inside the
 * ramp; leastconn through drain and back to ready under 500-ms requests); twins
 * calibration/scenarios/<name>.yaml; predictions calibration/data/holdout12-predictions.json. The
 * twin runner, the seeds and the uptime grid are round 7's (holdout7-figures.ts), the HAProxy
 * recording shape round 8's. Every tolerance is stated here, before any recording: counts ±10 %
 * (±2 near zero), times ±1 s, and (review25 #3) a sub-second time ±0.25 s, about 20 % of the
 * 1.2-s queue wait it tests.
 */
import type { RunResult } from '../../sim/result.js';
import { recordsOf } from '../trace/records-of.js';
import { overSeeds, totalIn } from './heldout-table.js';
import { COUNT, clientErrors, minus, stateTime } from './holdout7-figures.js';
import { answeredIn, type HaproxyRec8, longestWait } from './holdout8-figures.js';
import type { Figure11 } from './holdout11-figures.js';

/** Streams HAProxy retried or redispatched, started in [from, to) s: log %rc > 0 or "+"; the twin's attempts beyond one per request in (from, to]. */
const retriedIn = (from: number, to: number, what: string): Figure11<HaproxyRec8> => ({
  figure: `retried or redispatched streams in [${from}, ${to}) s (log %rc > 0 or "+"; twin: attempts beyond one per request)${what}`,
  tolerance: COUNT,
  sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'attempts', from, to) - totalIn(r, 'offered', from, to)),
  real: (d) => d.haproxyLog.filter((l) => l[0] >= from && l[0] < to && (l[5] > 0 || l[6] === 1)).length,
});

/**
 * Failed connects to the dead `server` by streams started in [from, to) s: %rc summed (every retry
 * of these runs follows a refused connect to it), + 1 on a 503 line of that server; the twin's
 * attempts on it that got no answer (1-ms or 200-ms answers: within the window).
 */
const failedConnectsIn = (server: string, from: number, to: number, what: string): Figure11<HaproxyRec8> => ({
  figure: `failed connects to ${server} in [${from}, ${to}) s (log: %rc summed, + 1 on a ${server} 503 line; twin: failed attempts on ${server})${what}`,
  tolerance: COUNT,
  sim: (runs) =>
    overSeeds(runs, (r) => totalIn(r, 'attempts', from, to, server) - totalIn(r, 'goodput', from, to, server)),
  real: (d) =>
    d.haproxyLog
      .filter((l) => l[0] >= from && l[0] < to)
      .reduce((a, l) => a + Number(l[5]) + (l[2] === server && String(l[3]) === '503' ? 1 : 0), 0),
});

/** Answers `server` gave whose done time is in (from, to] (the twin's goodput samples). */
const answersIn = (server: string, from: number, to: number, what: string): Figure11<HaproxyRec8> => ({
  figure: `${server} answers in (${from}, ${to}] s${what}`,
  tolerance: COUNT,
  sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'goodput', from, to, server)),
  real: (d) => answeredIn(d, server, from, to),
});

/** The n-th (1-based) "Server be/<s> is <state>" line after `at` s, less `at`; the twin's records the same. */
function nthStateAfter(figure: string, server: string, state: 'DOWN' | 'UP', at: number): Figure11<HaproxyRec8> {
  const kind = state === 'DOWN' ? 'hc.down' : 'hc.up';
  return {
    figure,
    tolerance: { seconds: 1 },
    sim: (runs: RunResult[]) => {
      const r = recordsOf(runs[0], kind).find((x) => x.backend === server && x.t > at);
      return r ? r.t - at : null;
    },
    real: (d) =>
      minus(
        d.events.haproxyMessages.find((x) => x.t > at && x.line.startsWith(`Server be/${server} is ${state}`))?.t ??
          null,
        at,
      ),
  };
}

/** s3's answers from the first whole second after its UP (after the restart at 7 s) to the second kill at 11.006 s. */
const s3RampAnswers: Figure11<HaproxyRec8> = {
  figure:
    's3 answers in (⌈UP⌉, 11] s (its slowstart ramp before the second kill; UP: the first after the restart at 7 s)',
  tolerance: COUNT,
  sim: (runs) => {
    const up = recordsOf(runs[0], 'hc.up').find((x) => x.backend === 's3' && x.t > 7);
    if (!up) return null;
    return overSeeds(runs, (r) => totalIn(r, 'goodput', Math.ceil(up.t), 11, 's3'));
  },
  real: (d) => {
    const up = d.events.haproxyMessages.find((x) => x.t > 7 && x.line.startsWith('Server be/s3 is UP'));
    return up ? answeredIn(d, 's3', Math.ceil(up.t), 11) : null;
  },
};

/** HAProxy's 503s at the queue timeout (log termination "sQ"); the twin's 5xx answers (its in-flight losses are resets). */
const queueTimeouts: Figure11<HaproxyRec8> = {
  figure: '503 at the queue timeout (log: termination sQ; twin: 5xx answers)',
  tolerance: COUNT,
  sim: (runs) => overSeeds(runs, (r) => r.figures['req_5xx.total'] ?? 0),
  real: (d) => d.haproxyLog.filter((l) => String(l[4]).startsWith('sQ')).length,
};

export const HAPROXY12: Record<string, Array<Figure11<HaproxyRec8>>> = {
  'haproxy-holdout12-queue-maxconn4-tq1s-kill-3srv-http': [
    { ...clientErrors, figure: `${clientErrors.figure} (in flight on s2 at the kill, then the queue timeouts)` },
    queueTimeouts,
    retriedIn(0, 18, ' (refused connects to s2 until DOWN, redispatched)'),
    // The queue's head waits its 1 s, then 200 ms of service (±0.25 s, review25 #3).
    { ...longestWait, tolerance: { seconds: 0.25 } },
    stateTime('kill -9 s2 (5.008 s) → s2 DOWN (s)', 's2', 'DOWN', 5.008),
    stateTime('restart s2 (11 s) → s2 UP (s)', 's2', 'UP', 11),
  ],
  'haproxy-holdout12-slowstart6-rampkill-3srv-http': [
    { ...clientErrors, figure: `${clientErrors.figure} (none: option redispatch)` },
    nthStateAfter('restart s3 (7 s) → s3 UP (s)', 's3', 'UP', 7),
    s3RampAnswers,
    failedConnectsIn('s3', 11, 16, ' (the second kill, inside the ramp)'),
    retriedIn(11, 16, ' (the second kill, inside the ramp)'),
    nthStateAfter('second kill -9 s3 (11.006 s) → s3 DOWN (s)', 's3', 'DOWN', 11.006),
  ],
  'haproxy-holdout12-leastconn-drain-ready-slow500-3srv-http': [
    { ...clientErrors, figure: `${clientErrors.figure} (none: drain keeps the requests in flight)` },
    answersIn('s2', 6, 10, ' (drained: no new request)'),
    answersIn('s2', 10, 11, ' (ready, serving none: leastconn gives it the new requests)'),
    answersIn('s2', 11, 12, ' (the others, now serving fewest, take them back)'),
    answersIn('s2', 12, 16, ' (settled)'),
  ],
  'haproxy-holdout12-hang-onmarkeddown-shutdown-3srv-http': [
    { ...clientErrors, figure: `${clientErrors.figure} (the requests waiting on the hung s1, shut at its DOWN)` },
    {
      // What roundrobin gave the hung s1 before its DOWN (its kernel accepts): each waits.
      figure: 'streams on s1 started in [4, 12) s (log: server s1; twin: attempts on s1 in (4, 12] s)',
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'attempts', 4, 12, 's1')),
      real: (d) => d.haproxyLog.filter((l) => l[2] === 's1' && l[0] >= 4 && l[0] < 12).length,
    },
    // Until the DOWN shuts them (about 3 s), or until the SIGCONT (8 s) if nothing does.
    longestWait,
    stateTime('SIGSTOP s1 (4.008 s) → s1 DOWN (s)', 's1', 'DOWN', 4.008),
    stateTime('SIGCONT s1 (12 s) → s1 UP (s)', 's1', 'UP', 12),
    answersIn('s1', 15, 18, ' (back in the rotation)'),
  ],
};

// ---------------------------------------------------------------- post-hoc re-readings (not blind)

/** Client errors whose done time is in (from, to] s: the recorder's request log; the twin's error samples. */
const errorsIn = (from: number, to: number, what: string): Figure11<HaproxyRec8> => ({
  figure: `client errors done in (${from}, ${to}] s${what}`,
  tolerance: COUNT,
  sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'errors', from, to)),
  real: (d) => d.requestLog.filter((q) => q[2] !== 'ok' && q[1] > from && q[1] <= to).length,
});

/**
 * Figures defined AFTER the recordings (the model and the twins unchanged): two blind rows read
 * different things on the two sides (GAPS12 in holdout12.test.ts says which), these read the same
 * thing on both. They are not blind and are counted apart.
 */
export const HAPROXY12_POST_HOC: Record<string, Array<Figure11<HaproxyRec8>>> = {
  'haproxy-holdout12-queue-maxconn4-tq1s-kill-3srv-http': [
    // The 3 in flight on s2 at the kill and the 503s after retries 3 on the dead s2 (the others full).
    errorsIn(5, 8, ' (in flight on s2; 503 after the retries on the dead s2 while s1 and s3 are full)'),
    // The queue timeouts (HAProxy log: <NOSRV> 503 sQ).
    errorsIn(8, 18, ' (the queue timeouts)'),
  ],
  'haproxy-holdout12-hang-onmarkeddown-shutdown-3srv-http': [
    {
      // HAProxy's DOWN message counts the streams still attached ("N sessions active"): the ones
      // roundrobin gave the hung s1; the blind row read the access log, which has no line for them.
      figure:
        "streams on s1 at its DOWN (HAProxy's DOWN message: N sessions active; twin: attempts on s1 in (4, 12] s)",
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'attempts', 4, 12, 's1')),
      real: (d) => {
        const m = d.events.haproxyMessages
          .map((x) => /^Server be\/s1 is DOWN\..* (\d+) sessions active/.exec(x.line))
          .find((x) => x !== null);
        return m ? Number(m[1]) : null;
      },
    },
  ],
};

// ---------------------------------------------------------------- second batch (12B)

/**
 * slowstart with maxconn and a queue: s3 back from maint at 8.006 s with a backend queue built
 * while it was away. srv_dynamic_maxconn() (src/server.c) ramps its maxconn with the slowstart
 * (max(1, 8 x elapsed whole seconds / 6)), so how many queued streams it takes each second tells
 * whether the ramp limits its slots, not only its weight. Tolerances as the first batch's; the
 * longest wait (about a second) ±0.25 s.
 */
export const HAPROXY12B: Record<string, Array<Figure11<HaproxyRec8>>> = {
  'haproxy-holdout12b-slowstart6-maxconn8-tq2s-maint-3srv-http': [
    { ...clientErrors, figure: `${clientErrors.figure} (the queue waits below timeout queue 2s)` },
    answersIn('s3', 8, 9, ' (ready at 8.006 s: the first second of its ramp)'),
    answersIn('s3', 9, 10, ' (the second second of its ramp)'),
    answersIn('s3', 10, 12, ' (its ramp, seconds 3-4)'),
    answersIn('s3', 12, 16, ' (its ramp, seconds 5-6, and full weight)'),
    { ...longestWait, tolerance: { seconds: 0.25 } },
  ],
};
