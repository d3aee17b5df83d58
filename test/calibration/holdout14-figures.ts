/**
 * Held-out validation, round 14 (session 22, hold14): the figures compared, computed the same way on
 * a twin's runs (the blind prediction) and on a recording. Each run tests a rule queue22 modelled
 * that no recording had tested, where the rule decides the figure (calibration/haproxy/holdout14.mjs):
 * `retry-on conn-failure empty-response` retrying the requests `on-marked-down shutdown-sessions`
 * shuts (06acadd), roundrobin not asked while the backend queue waits (458f738), a server leaving
 * maint taking the backend queue without slowstart (3866c11). Twins calibration/scenarios/<name>.yaml;
 * predictions calibration/data/holdout14-predictions.json (which keeps each figure's tolerance). The
 * twin runner, the seeds and the uptime grid are round 7's (holdout7-figures.ts), the HAProxy
 * recording shape round 8's. Every tolerance is stated here, before any recording: counts ±10 %
 * (±2 near zero); the checks' DOWN ±1 s (rounds 7-12); the longest waits ±0.25 s (about 20 % of
 * the 1.2-s queue wait, 10 % of the 2.3-s one, 4-5 % of the 5-6 s hangs: less than the 0.7 s the
 * no-redispatch run's rule moves it by).
 */
import type { RunResult } from '../../sim/result.js';
import { overSeeds, totalIn } from './heldout-table.js';
import { COUNT, clientErrors, stateTime } from './holdout7-figures.js';
import { answeredIn, type HaproxyRec8, longestWait } from './holdout8-figures.js';
import type { Figure11 } from './holdout11-figures.js';

/** A round-14 figure: round 11's, with `derived` (a row restating others, not a mechanism row). */
export interface Figure14<D> extends Figure11<D> {
  derived?: string;
}

/** The longest client wait, any outcome, ±0.25 s (stated before recording). */
const longestWait25: Figure14<HaproxyRec8> = { ...longestWait, tolerance: { seconds: 0.25 } };

/**
 * Answers `servers` gave whose done time is in (from, to] s (the recorder's request log, outcome ok;
 * the twin's goodput samples whose time is in (from, to], `sampleStep` s apart: the window is
 * widened by half a step on each side so that no sample time sits on its edge).
 */
const answersIn = (
  servers: string[],
  from: number,
  to: number,
  what: string,
  sampleStep = 1,
): Figure14<HaproxyRec8> => ({
  figure: `${servers.join(' and ')} answers in (${from}, ${to}] s${what}`,
  tolerance: COUNT,
  sim: (runs) =>
    overSeeds(runs, (r) =>
      servers.reduce((a, s) => a + totalIn(r, 'goodput', from + sampleStep / 2, to + sampleStep / 2, s), 0),
    ),
  real: (d) => servers.reduce((a, s) => a + answeredIn(d, s, from, to), 0),
});

/** Streams HAProxy retried or redispatched, started in [from, to) s: log %rc > 0 or "+"; the twin's attempts beyond one per request in (from, to]. */
const retriedIn = (from: number, to: number, what: string): Figure14<HaproxyRec8> => ({
  figure: `retried or redispatched streams in [${from}, ${to}) s (log %rc > 0 or "+"; twin: attempts beyond one per request)${what}`,
  tolerance: COUNT,
  sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'attempts', from, to) - totalIn(r, 'offered', from, to)),
  real: (d) => d.haproxyLog.filter((l) => l[0] >= from && l[0] < to && (l[5] > 0 || l[6] === 1)).length,
});

/** HAProxy's 503s at the queue timeout (log termination "sQ"); the twin's 5xx answers (its only 5xx in the run). */
const queueTimeouts = (what: string): Figure14<HaproxyRec8> => ({
  figure: `503 at the queue timeout (log: termination sQ; twin: 5xx answers)${what}`,
  tolerance: COUNT,
  sim: (runs: RunResult[]) => overSeeds(runs, (r) => r.figures['req_5xx.total'] ?? 0),
  real: (d) => d.haproxyLog.filter((l) => String(l[4]).startsWith('sQ')).length,
});

const HANG_REDISPATCH = 'haproxy-holdout14-hang-shutdown-retryempty-redispatch-3srv-http';
const HANG_SAME = 'haproxy-holdout14-hang-shutdown-retryempty-noredispatch-3srv-http';
const DRAIN_READY = 'haproxy-holdout14-rr-drain-ready-queue-maxconn4-tq1s-3srv-http';
const MAINT_READY = 'haproxy-holdout14-rr-maint-ready-queue-maxconn8-slow1000-3srv-http';

/**
 * Rows whose 0 IS the rule tested (markZeros keeps them as mechanism rows), by `<run> / <figure>`,
 * with the old model's figure: without the rule the figure is far from 0.
 */
export const MECHANISM_ZEROS14: Record<string, string> = {
  [`${HANG_REDISPATCH} / ${clientErrors.figure} (none: the requests shut at s1's DOWN are retried on s2 and s3)`]:
    '06acadd: without it the shut requests end unanswered (about 100)',
  [`${HANG_SAME} / ${clientErrors.figure} (none: the requests shut at s1's DOWN are retried on s1, answered after its SIGCONT)`]:
    '06acadd: without it the shut requests end unanswered (about 100)',
  [`${DRAIN_READY} / s3 answers in (8, 14] s (ready at 8.006 s under a queue that never empties: roundrobin is not asked)`]:
    '458f738: without it s3 takes its roundrobin turns again (about a third of the answers)',
  [`${MAINT_READY} / s3 answers in (9.1, 10] s (its 8 slots busy with the grabbed streams until about 10.006 s)`]:
    '3866c11: without it s3 fills its slots with new arrivals over about 0.4 s, answered in (9.1, 9.4] s',
};

export const HAPROXY14: Record<string, Array<Figure14<HaproxyRec8>>> = {
  [HANG_REDISPATCH]: [
    {
      ...clientErrors,
      figure: `${clientErrors.figure} (none: the requests shut at s1's DOWN are retried on s2 and s3)`,
    },
    // Around s1's DOWN (≈ 9.25 s; the window holds it whatever HAProxy's check phase): their own
    // answers (40 a second while s1 is hung, 60 after its DOWN) plus the retried ones.
    answersIn(['s2', 's3'], 8, 12, " (s1's DOWN: the retried requests that waited on s1, and their own)"),
    retriedIn(4, 12, ' (the requests shut at the DOWN, retried and redispatched)'),
    // From the first request to the hung s1 to its DOWN, when it is retried and answered at once.
    {
      ...longestWait25,
      // Marked after the recording (hold14; value and tolerance unchanged, not in the digest).
      derived:
        "the DOWN row's time less the first request to s1 after the SIGSTOP: the retried request is answered at once",
    },
    stateTime('SIGSTOP s1 (4.008 s) → s1 DOWN (s)', 's1', 'DOWN', 4.008),
  ],
  [HANG_SAME]: [
    {
      ...clientErrors,
      figure: `${clientErrors.figure} (none: the requests shut at s1's DOWN are retried on s1, answered after its SIGCONT)`,
    },
    answersIn(['s1'], 10, 11, ' (the SIGCONT at 10 s: the retried requests, back on the DOWN s1)'),
    retriedIn(4, 12, ' (the requests shut at the DOWN, retried on s1)'),
    // From the first request to the hung s1 to the SIGCONT (the old model: to the DOWN, 0.7 s less).
    longestWait25,
    stateTime('SIGSTOP s1 (4.008 s) → s1 DOWN (s)', 's1', 'DOWN', 4.008),
  ],
  [DRAIN_READY]: [
    answersIn(['s3'], 8, 14, ' (ready at 8.006 s under a queue that never empties: roundrobin is not asked)'),
    // Two servers serve 40 of the 50 a second while s3 stays idle: the rest times out at 1 s.
    queueTimeouts(' (s3 idle after ready: 10 a second from about 8 s)'),
    {
      ...answersIn(['s1', 's2'], 8, 14, ' (their maxconn 4 each, 200 ms: 20 a second each)'),
      // Marked after the recording (hold14; value and tolerance unchanged, not in the digest).
      fixed: 'two servers saturated at maxconn 4 and 200 ms with or without s3 (the old model: 231, within ±24 too)',
    },
    // The queue's head: 1 s in the queue (or its 503 then), 200 ms of service.
    {
      ...longestWait25,
      // Marked after the recording (hold14; value and tolerance unchanged, not in the digest).
      fixed:
        'timeout queue 1s and the 200-ms service: the queue head’s wait with or without s3 (the old model: 1.18 s)',
    },
  ],
  [MAINT_READY]: [
    { ...clientErrors, figure: `${clientErrors.figure} (none: the queue waits stay below timeout queue 3s)` },
    // The 8 oldest queued streams, taken at the ready (pendconn_grab_from_px()), answered 1 s later.
    answersIn(['s3'], 9, 9.1, ' (the 8 queued streams it took at its ready, 8.006 s, answered 1 s later)', 0.1),
    answersIn(['s3'], 9.1, 10, ' (its 8 slots busy with the grabbed streams until about 10.006 s)', 0.1),
    // The queue's head at the ready: about 1.25 s queued, 1 s of service.
    longestWait25,
  ],
};
