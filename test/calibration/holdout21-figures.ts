/**
 * Held-out validation, round 21 (session 27, hold21): the figures compared, computed the same way on
 * a twin's runs (the blind prediction) and on a recording. Two leastconn rules of session 26 that no
 * recording had checked, each in a run where the model before it gives other figures:
 *
 * - 5fbf29b (lc26): equal fwlc keys go in the tree's insertion order (src/lb_fwlc.c
 *   fwlc_srv_reposition() / fwlc_get_next_server(), include/import/ebtree.h): among idle servers the
 *   one idle longest is picked. The model before it (5fbf29b^) broke ties in turn.
 * - 00004da (lcfix26): a connection retry kept on its server keeps its stream counted and the server
 *   its place among equal keys (src/stream.c sess_change_server() returns at `oldsrv == newsrv`;
 *   fwlc_srv_reposition() returns for an unchanged key). The model before it (00004da^) dropped and
 *   took the stream again at each retry, re-inserting the server behind its equal-key peers.
 *
 * Recorder calibration/haproxy/holdout21.mjs; its predictions are a table over HAProxy's start before
 * t0 (`lb.uptime`), read at the start the recording states (round 7's). Twins
 * calibration/scenarios/<run>.yaml; predictions calibration/data/holdout21-predictions.json (which
 * keeps each figure's tolerance). Every tolerance is stated here, before any recording: counts ±10 %
 * (±2 near zero).
 */
import { recordsOf } from '../trace/records-of.js';
import { overSeeds, type Tolerance, totalIn } from './heldout-table.js';
import { answeredIn, type HaproxyRec8 } from './holdout8-figures.js';
import type { Figure14 } from './holdout14-figures.js';

const COUNT: Tolerance = { count: true };

export const TIES_SLOW_S1 = 'haproxy-holdout21-leastconn-ties-slow250-3srv-http';
export const RETRY_KILL = 'haproxy-holdout21-leastconn-retry-kill-3srv-http';

/** Which rule each run tests (the old model of its rows: `git archive <rule>^`). */
export const RULE21: Record<string, string> = { [TIES_SLOW_S1]: '5fbf29b', [RETRY_KILL]: '00004da' };

/**
 * Answers `server` gave whose done time is in (from, to] s (the recorder's request log, outcome ok;
 * the twin's per-second goodput samples in (from + 0.5, to + 0.5], so no sample sits on an edge).
 */
const answersIn = (server: string, from: number, to: number, what: string): Figure14<HaproxyRec8> => ({
  figure: `${server} answers in (${from}, ${to}] s${what}`,
  tolerance: COUNT,
  sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'goodput', from + 0.5, to + 0.5, server)),
  real: (d) => answeredIn(d, server, from, to),
});

/** HAProxy's 503s whose stream ended in (from, to] s (log status 503); the twin's 5xx answers. */
const answers503In = (from: number, to: number, what: string): Figure14<HaproxyRec8> => ({
  figure: `503 answers in (${from}, ${to}] s (log: status 503 by end time; twin: 5xx answers)${what}`,
  tolerance: COUNT,
  sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'req_5xx', from + 0.5, to + 0.5)),
  real: (d) => d.haproxyLog.filter((l) => String(l[3]) === '503' && l[1] > from && l[1] <= to).length,
});

/** s1's DOWN lines in the whole run: `fall 20` keeps it UP (the run's design: its refused streams retry on it). */
const s1NeverDown: Figure14<HaproxyRec8> = {
  figure: "s1 DOWN lines in the run ('Server be/s1 is DOWN'; twin: hc.down)",
  tolerance: COUNT,
  fixed:
    'the input: `fall 20`, inter 2 s: 20 failed checks take ≈ 40 s after the kill at 4.2 s; the row shows s1 UP throughout',
  sim: (runs) => recordsOf(runs[0], 'hc.down').filter((x) => x.backend === 's1').length,
  real: (d) => d.events.haproxyMessages.filter((x) => x.line.startsWith('Server be/s1 is DOWN')).length,
};

export const HAPROXY21: Record<string, Array<Figure14<HaproxyRec8>>> = {
  [TIES_SLOW_S1]: [
    answersIn(
      's1',
      1,
      10,
      ' (the slow s1 idle again 50 ms before the third request after its own, behind s2 and s3: a fifth; ties in turn: a third)',
    ),
    answersIn(
      's2',
      1,
      10,
      ' (idle at every request, ahead of s3 or behind it by turns: two fifths; ties in turn: a third)',
    ),
    answersIn('s3', 1, 10, ' (two fifths; ties in turn: a third)'),
    answersIn('s1', 10, 19, ' (the same pattern: s1, s2, s3, s2, s3)'),
  ],
  [RETRY_KILL]: [
    answers503In(
      5,
      35,
      ' (the refused s1 keeps its place at key 1 ahead of the peers that took a stream after it: about a third of the requests; re-inserted behind them at each retry: fewer)',
    ),
    answersIn('s2', 5, 35, ' (1.3-s answers)'),
    answersIn('s3', 5, 35, ' (1.7-s answers)'),
    s1NeverDown,
  ],
};

/** Rows whose 0 IS the rule tested (markZeros keeps them as mechanism rows): none this round. */
export const MECHANISM_ZEROS21: Record<string, string> = {};
