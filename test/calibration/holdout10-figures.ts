/**
 * Held-out validation, round 10 (session 21, hold10): the figures compared, computed the same way
 * on a twin's runs (the blind prediction) and on a recording. Runs:
 * calibration/nginx/holdout10-experiments.mjs (client_header_timeout, a reload with connections
 * waiting for their first request) and calibration/haproxy/holdout10.mjs (`retry-on 500 502 503
 * 504` with a killed server); twins calibration/scenarios/<name>.yaml; predictions
 * calibration/data/holdout10-predictions.json. The twin runner, the seeds and the uptime grid are
 * round 7's (holdout7-figures.ts), the HAProxy recording shape round 8's.
 */
import type { RunResult } from '../../sim/result.js';
import { overSeeds, totalIn } from './heldout-table.js';
import { COUNT, clientErrors, exitOf, type Figure7, SECONDS, stateTime } from './holdout7-figures.js';
import type { HaproxyRec8 } from './holdout8-figures.js';

/** A round-10 figure; `fixed` says why a row cannot fail on the model's mechanism (round 9's marking). */
export interface Figure10<D> extends Figure7<D> {
  fixed?: string;
}

// ---------------------------------------------------------------- HAProxy

export const HAPROXY10: Record<string, Array<Figure10<HaproxyRec8>>> = {
  'haproxy-holdout10-kill-retryon5xx-3srv-http': [
    // Every stream whose roundrobin turn is the dead s2 ends 503 until s2 is DOWN (round 7's run,
    // without retry-on: 0).
    clientErrors,
    {
      // With the default conn-failure each of those streams was redispatched (round 7: 53).
      figure: 'retried or redispatched streams (log %rc > 0 or "+"; twin: attempts beyond one per request)',
      tolerance: COUNT,
      sim: (runs) => overSeeds(runs, (r) => (r.figures['attempts.total'] ?? 0) - (r.figures['offered.total'] ?? 0)),
      real: (d) => d.haproxyLog.filter((l) => l[5] > 0 || l[6] === 1).length,
    },
    stateTime('kill -9 s2 (5 s) → s2 DOWN (s)', 's2', 'DOWN', 5),
    stateTime('restart s2 (11 s) → s2 UP (s)', 's2', 'UP', 11),
  ],
};

// ---------------------------------------------------------------- nginx

/** What a round-10 nginx recording holds (calibration/nginx/experiment.mjs). */
export interface NginxRec10 {
  clientEvents: Array<{ ev: string; s: number; how?: string; out?: string; status?: number; conn?: string | null }>;
  workers: Array<{ pid: number; firstS: number; lastS: number; shuttingDownS: number | null; goneS: number | null }>;
}

/** Connections nginx closed (the client read its FIN, `how` eof) at [from, to) s; the twin's closed_fin in (from, to]. */
function closesIn(from: number, to: number, what: string): Figure10<NginxRec10> {
  return {
    figure: `connections nginx closed in [${from}, ${to}) s${what}`,
    tolerance: COUNT,
    sim: (runs) => overSeeds(runs, (r) => totalIn(r, 'closed_fin', from, to)),
    real: (d) =>
      d.clientEvents.filter((e) => e.ev === 'conn-close' && e.how === 'eof' && e.s >= from && e.s < to).length,
  };
}

const requests = (n: number): Figure10<NginxRec10> => ({
  figure: 'requests answered 200',
  tolerance: COUNT,
  sim: (runs) => overSeeds(runs, (r) => r.figures['responses_2xx.total'] ?? 0),
  real: (d) => d.clientEvents.filter((e) => e.ev === 'req' && e.out === 'ok' && e.status === 200).length,
  fixed: `the recorder's closed loops send ${n} requests whatever nginx closes (the replacement waits for the planned time)`,
});

const failed: Figure10<NginxRec10> = {
  figure: 'failed requests (EOF / reset / not 200)',
  tolerance: COUNT,
  sim: (runs: RunResult[]) =>
    overSeeds(runs, (r) => (r.figures['errors.total'] ?? 0) + (r.figures['responses_5xx.total'] ?? 0)),
  real: (d) => d.clientEvents.filter((e) => e.ev === 'req' && !(e.out === 'ok' && e.status === 200)).length,
  fixed: '0 vs 0: every request is sent ≥ 0.2 s off any close',
};

/**
 * The same figure in the client_header_timeout 1.5s reload run, which the input does not fix: a
 * client answered with `Connection: close` waits its whole 4.5-s think on new connections, three
 * client_header_timeout periods, so its next request is due exactly when nginx's timer closes the
 * third (four such requests in the run; one lost the tie in the recording). Marked input-fixed in
 * the blind commit (bbfc0f9) by oversight; the label was corrected after the recording, the values
 * are the blind ones.
 */
const failedAtTies: Figure10<NginxRec10> = {
  figure: failed.figure,
  tolerance: failed.tolerance,
  sim: failed.sim,
  real: failed.real,
};

/** The old worker (the one that got the QUIT) gone: sampled every 100 ms, the first sample without it. */
const oldWorkerGone = (what: string): Figure10<NginxRec10> => ({
  figure: `old worker gone after the reload at 7.12 s (s; twin: generation 1 exits)${what}`,
  tolerance: SECONDS,
  sim: (runs) => exitOf(runs[0], 1),
  real: (d) => d.workers.find((w) => w.shuttingDownS !== null)?.goneS ?? null,
});

export const NGINX10: Record<string, Array<Figure10<NginxRec10>>> = {
  'nginx-holdout10-cht1-ka2-think4500': [
    requests(80),
    failed,
    closesIn(0, 4, ' (keepalive closes, then client_header_timeout 1s)'),
    closesIn(0, 16, ' (three a cycle: 2, 3 and 4 s after each answer)'),
  ],
  'nginx-holdout10-cht2300ms-ka2-think4500': [
    requests(80),
    failed,
    closesIn(0, 4, ' (keepalive closes)'),
    closesIn(0, 16, ' (two a cycle: 2 and 4.3 s after each answer)'),
  ],
  'nginx-holdout10-reload-waiting-cht10': [
    requests(54),
    failed,
    oldWorkerGone(' (the last waiting connection’s request)'),
    closesIn(7, 8, " (the QUIT's idle ones, then `Connection: close` answers)"),
    closesIn(8, 10, ' (`Connection: close` answers, keepalive closes)'),
  ],
  'nginx-holdout10-reload-waiting-cht1500ms': [
    requests(54),
    failedAtTies,
    oldWorkerGone(' (the last waiting connection’s client_header_timeout)'),
    closesIn(7, 8, " (the QUIT's idle ones, client_header_timeout, `Connection: close` answers)"),
    closesIn(8, 10, ' (client_header_timeout, `Connection: close` answers, keepalive closes)'),
  ],
};
