/**
 * Held-out validation, round 20 (session 26, hold20): the figures compared, computed the same way on
 * a twin's runs (the blind prediction) and on a recording. 1744041, HAProxy 2.6: `lb.sticky: source`
 * is `stick-table type ip` + `stick on src` (v2.6.0 src/stream.c): process_sticking_rules() asks the
 * table before any balancing and sticking_rule_find_target() uses the stored server while
 * `cur_state != SRV_ST_STOPPED` (no option persist here), so a drained server keeps its addresses and
 * a DOWN one's are balanced again; process_store_rules() (stktable_set_entry()) then stores their new
 * server, where they stay when the old one comes back. The model before it (1744041^) ignored
 * `sticky: source` under roundrobin: each request went round the usable servers. Recorder
 * calibration/haproxy/holdout20.mjs (one run: drain s1 at 4.006 s, kill -9 s2 at 8.008 s, restart at
 * 13.008 s); its predictions are a table over HAProxy's start before t0 (`lb.uptime`), read at the
 * start the recording states (round 7's).
 *
 * Twin calibration/scenarios/<run>.yaml; predictions calibration/data/holdout20-predictions.json
 * (which keeps each figure's tolerance). Every tolerance is stated here, before any recording:
 * counts ±10 % (±2 near zero); s2's DOWN ±0.25 s (a quarter of the 1-s inter; the harness's actions
 * land within ≈ 10 ms).
 */
import { overSeeds, type Tolerance, totalIn } from './heldout-table.js';
import { simState, stateAt } from './holdout7-figures.js';
import { answeredIn, type HaproxyRec8 } from './holdout8-figures.js';
import type { Figure14 } from './holdout14-figures.js';

const COUNT: Tolerance = { count: true };
const QUARTER: Tolerance = { seconds: 0.25 };

export const STICK_DRAIN_KILL = 'haproxy-holdout20-stick-src-drain-kill-3srv-http';

/** Which rule each run tests (the old model of its rows: `git archive <rule>^`). */
export const RULE20: Record<string, string> = { [STICK_DRAIN_KILL]: '1744041' };

/**
 * Answers `server` gave whose done time is in (from, to] s (the recorder's request log, outcome ok;
 * the twin's per-second goodput samples in (from + 0.5, to + 0.5], so no sample sits on an edge).
 */
const answersIn = (server: string, from: number, to: number, what: string, fixed?: string): Figure14<HaproxyRec8> => ({
  figure: `${server} answers in (${from}, ${to}] s${what}`,
  tolerance: COUNT,
  ...(fixed ? { fixed } : {}),
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

/** s2's DOWN after its kill: HAProxy's "Server be/s2 is DOWN", the twin's first hc.down (seed 1: the checks do not draw). */
const s2Down: Figure14<HaproxyRec8> = {
  figure:
    "s2 DOWN (s from t0; 'Server be/s2 is DOWN'; twin: hc.down) (killed at 8.008 s: the second failed check, inter 1 s)",
  tolerance: QUARTER,
  sim: (runs) => simState(runs, 's2', 'hc.down'),
  real: (d) => stateAt(d, 's2', 'DOWN'),
};

/** s2's UP lines after its restart at 13.008 s, before 16 s: the run's design (rise 2 × inter 1 s), so that (16, 20] s has s2 usable. */
const s2UpBy16: Figure14<HaproxyRec8> = {
  figure: "s2 UP lines in (13, 16] s ('Server be/s2 is UP'; twin: hc.up)",
  tolerance: COUNT,
  fixed: 'the input: s2 restarted at 13.008 s, rise 2 × inter 1 s; the row shows s2 usable before (16, 20] s',
  sim: (runs) => {
    const up = simState(runs, 's2', 'hc.up');
    return up !== null && up > 13 && up <= 16 ? 1 : 0;
  },
  real: (d) =>
    d.events.haproxyMessages.filter((x) => x.line.startsWith('Server be/s2 is UP') && x.t > 13 && x.t <= 16).length,
};

export const HAPROXY20: Record<string, Array<Figure14<HaproxyRec8>>> = {
  [STICK_DRAIN_KILL]: [
    answersIn(
      's1',
      1,
      4,
      ' (before the drain: its 10 addresses, one third)',
      "the input: every address's first request balanced roundrobin, 10 of 30 per server",
    ),
    answersIn('s1', 5, 8, ' (drained at 4.006 s: it keeps its 10 addresses, stuck; without the rule none)'),
    answersIn('s3', 5, 8, " (its own addresses only; without the rule half of all, s1's third shared with s2)"),
    s2Down,
    answers503In(8, 14, " (s2's addresses until its DOWN: 3 retries on the refused s2, no redispatch)"),
    s2UpBy16,
    answersIn('s1', 16, 20, ' (still drained: its addresses still stuck to it)'),
    answersIn('s2', 16, 20, ' (UP again: its old addresses stay stuck to s3, none new; without the rule half of all)'),
    answersIn('s3', 16, 20, " (its own addresses and s2's old ones, two thirds)"),
  ],
};

/** Rows whose 0 IS the rule tested (markZeros keeps them as mechanism rows). */
export const MECHANISM_ZEROS20: Record<string, string> = {
  [`${STICK_DRAIN_KILL} / s2 answers in (16, 20] s (UP again: its old addresses stay stuck to s3, none new; without the rule half of all)`]:
    "1744041: the entries of s2's addresses name s3 since their first stream after the DOWN (process_store_rules())",
};
