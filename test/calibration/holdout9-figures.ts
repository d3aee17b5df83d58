/**
 * Held-out validation, round 9 (session 20, hold9): the figures compared, computed the same way on
 * a twin's runs (the blind prediction) and on a recording. Runs: calibration/haproxy/holdout9.mjs;
 * twins calibration/scenarios/<name>.yaml; predictions calibration/data/holdout9-predictions.json.
 * The twin runner, the seeds and the uptime grid are round 7's (holdout7-figures.ts), the recording
 * shape round 8's (every client request kept).
 */
import { overSeeds, totalIn } from './heldout-table.js';
import { COUNT, clientErrors, type Figure7, SHARE, stateTime } from './holdout7-figures.js';
import { answeredIn, type HaproxyRec8, hungS1Figures, longestWait } from './holdout8-figures.js';

/**
 * A round-9 figure; `fixed` says why a row cannot fail on the model's mechanism (the recorder's
 * input fixes it, or it compares 0 with 0 by construction), review24 on round 8.
 */
export interface Figure9 extends Figure7<HaproxyRec8> {
  fixed?: string;
}

/** `server`'s share of the answers whose done time is in (from, to] s (the twin's per-second goodput). */
function shareIn(server: string, from: number, to: number, what: string): Figure9 {
  return {
    figure: `${server}'s share of the answers in (${from}, ${to}] s${what}`,
    tolerance: SHARE,
    sim: (runs) =>
      overSeeds(runs, (r) => totalIn(r, 'goodput', from, to, server) / totalIn(r, 'goodput', from, to, 'total')),
    real: (d) => answeredIn(d, server, from, to) / answeredIn(d, null, from, to),
  };
}

export const HAPROXY9: Record<string, Figure9[]> = {
  'haproxy-holdout9-slowstart6-maint-3srv-http': [
    { ...clientErrors, fixed: 'maint and ready of a live server: 0 vs 0 unless the transition drops requests' },
    {
      figure: 's3 answers in (4, 9] s (maint)',
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'goodput', 4, 9, 's3')),
      real: (d) => answeredIn(d, 's3', 4, 9),
      fixed: 'maint takes s3 out of the balancing: 0 vs 0 by the input',
    },
    // Windows from the `state ready` command at 9 s: whole seconds on both sides.
    shareIn('s3', 9, 11, ' (ready at 9 s, slowstart 6s)'),
    shareIn('s3', 11, 13, ' (slowstart 6s)'),
    shareIn('s3', 13, 15, ' (slowstart 6s)'),
    shareIn('s3', 16, 20, ' (after the ramp)'),
  ],
  'haproxy-holdout9-stop-leastconn-http': hungS1Figures(),
  'haproxy-holdout9-random-w112-3srv-http': [
    shareIn('s3', 0, 6, ' (weight 2 of 4, before the kill)'),
    clientErrors,
    stateTime('kill -9 s3 (6 s) → s3 DOWN (s)', 's3', 'DOWN', 6),
    { ...shareIn('s1', 12, 16, ' (s3 DOWN)'), fixed: 'two servers of equal weight left: about 0.5 by symmetry' },
  ],
};

/** The second batch: predicted after the first was recorded, before these were. */
export const HAPROXY9B: Record<string, Figure9[]> = {
  'haproxy-holdout9b-stop-random-http': hungS1Figures(),
  'haproxy-holdout9b-leastconn-w13-slow200-http': [
    shareIn('s2', 1, 14, ' (weight 3 of 4, leastconn)'),
    { ...clientErrors, fixed: 'no failure in the input (live servers, no limit): 0 vs 0' },
    { ...longestWait, fixed: 'the recorder’s 200-ms service time and no queue: about 0.2 s by the input' },
  ],
};
