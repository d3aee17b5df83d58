/**
 * Held-out validation, round 25 (session 31, hold25; calibration/README.md "Held-out validation,
 * round 25"): session 29's rule that no recording had checked blind, in a run where it decides
 * figures (the model before it outside the tolerance):
 *
 * - accept29 250ceddf: nginx's close of a connection refused at its accept (worker_connections full)
 *   is a FIN when the worker is idle — the client reads EOF, its request then meets RST from the
 *   orphaned socket, no TIME_WAIT — and an RST only when the client's bytes are already in
 *   (src/event/ngx_event_accept.c ngx_event_accept → ngx_close_socket; net/ipv4/tcp.c __tcp_close).
 *   Old model: 250ceddf^, an RST always.
 *
 * Recorder calibration/nginx/holdout25.mjs. The twin and the predictions
 * (calibration/data/holdout25-predictions.json, written by DRAINSIM_WRITE_HOLDOUT25=1 below, with each
 * figure's tolerance) and the old model's figures (calibration/data/holdout25-old-model-predictions.json,
 * DRAINSIM_HOLDOUT25_OLD=<dir>: <dir>/250ceddf is 250ceddf^ built, its own npm ci) are committed BEFORE
 * anything is recorded (BLIND25); the run is then recorded once. Nothing is refitted: a row outside its
 * tolerance stays as a KNOWN GAP with both values and its cause (GAPS25).
 * Recorded once from the blind commit (f6c14850; c2504742, load average 16.6 at the start): 5 of 7 rows
 * within tolerance, 3 of 5 mechanism rows; the 2 rows the rule decides MISS, by one past ±2: 17 probes
 * read EOF (predicted 20, 250ceddf^ 0) and 3 ECONNRESET (predicted 0, 250ceddf^ 20) — the client won the
 * race to nginx's close three times (GAPS25); the rule is right in direction, the old model far off.
 *
 * Second batch (after the first batch's recording): 74c2193b, a health-check DOWN keeps an http-mode
 * server's idle server connections, and so does the maint of a server already DOWN (HAProxy 2.6
 * src/server.c srv_update_status(): srv_cleanup_connections() only from the maint branch of a server
 * still running), in calibration/haproxy/holdout25.mjs (BLIND25B c9eee863; alternative: a scratch model
 * closing the pool at every DOWN and maint). Recorded once (e3e22f5e): 7 of 7 rows, 5 of 5 mechanism
 * rows, 2 decided by the rule (s1 idle after the DOWN 6 vs predicted 5, alternative 0; after the maint
 * 6 vs 5, alternative 0) and the 2 `ss` rows derived from them, all met.
 * Round 25 in all: 12 of 14 rows, 8 of 10 mechanism rows, 4 decided by a rule, 2 met.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import {
  type FlatPredictions,
  flatRows,
  type Gap,
  type HeldOutRow,
  markZeros,
  predictFlat,
  readPredictions,
} from './heldout-rows.js';
import { oldFigureOf, predictOldFlat, printOldModelTable, writeOldModel } from './holdout-old-model.js';
import { everyRunRecordedTest } from './holdout-round.js';
import { blindRoundTests, blindWriter } from './holdout-scaffold.js';
import { HAPROXY25B, MECHANISM_ZEROS25, NGINX25, REFUSED_IDLE, RULE25, RULE25B } from './holdout25-figures.js';

const PREDICTIONS = 'calibration/data/holdout25-predictions.json';
const OLD_MODEL = 'calibration/data/holdout25-old-model-predictions.json';
/** The commit holding the twin and predictions, made before any round-25 recording (null until then). */
const BLIND25: string | null = 'f6c1485054a21e9943b67b1a525d888f35b48a2e';
/** The digest of the rows' run, figure, real value and tolerance (heldout-rows.ts definitionsDigest), pinned once recorded. */
const DEFINITIONS25 = 'ca8370ab4a6a2dde';

interface Predictions {
  note: string;
  nginx: FlatPredictions;
}

/** The second batch (HAProxy, 74c2193b): written after the first batch's recording, before its own run. */
const PREDICTIONS_B = 'calibration/data/holdout25b-predictions.json';
/** Its alternative model's figures (a DOWN and every maint closing the pool: no commit of the model, a scratch mutation). */
const ALT_MODEL_B = 'calibration/data/holdout25b-alt-model-predictions.json';
/** The commit holding the second batch's twin and predictions, made before its recording (null until then). */
const BLIND25B: string | null = 'c9eee86331f24a8d12b02fd5307c6e466b58fb81';
/** The second batch's digest, pinned once recorded. */
const DEFINITIONS25B = 'a7c39e3d6951cc65';

interface PredictionsB {
  note: string;
  haproxy: FlatPredictions;
}

const write = blindWriter({
  round: 25,
  file: PREDICTIONS,
  rest:
    '. nginx: per run, per figure: means over seeds 1-5 (one worker, worker_connections 10, 4 holders, 20 probes ' +
    '100 ms apart refused at an idle worker, 2 late probes; stated before recording: a probe whose request reaches ' +
    "nginx before its accept (the race the rule settles for nginx's side) reads ECONNRESET, which the model never " +
    'predicts at an idle worker — a few such are within ±2).',
  predict: () => ({ nginx: predictFlat(NGINX25) }),
  figureSets: NGINX25,
});

const writeB = blindWriter({
  round: 25,
  batch: 'B',
  file: PREDICTIONS_B,
  twins: 'second-batch held-out twin',
  written: "after the first batch's recording, BEFORE its own run was recorded",
  rest:
    '. haproxy: per run, per figure: means over seeds 1-5 (flat, no lb.uptime grid: the windows after the DOWN ' +
    "start 0.25 s past its latest time by the checks' phase, and the DOWN's own time has ±0.5 s).",
  predict: () => ({ haproxy: predictFlat(HAPROXY25B) }),
  figureSets: HAPROXY25B,
});

/** The old model's figures: DRAINSIM_HOLDOUT25_OLD=<dir>, <dir>/250ceddf = 250ceddf^ built (RULE25). */
const oldDir = process.env.DRAINSIM_HOLDOUT25_OLD;
describe.runIf(Boolean(oldDir))("held-out round 25: the old model's figures", () => {
  it(`runs the twin on its rule's parent and writes ${OLD_MODEL}`, async () => {
    const nginx = await predictOldFlat((run) => join(oldDir as string, RULE25[run]), NGINX25);
    const note =
      "The old model's figures of the round-25 twin (the same seeds 1-5 and figures of holdout25-figures.ts), " +
      'written before the run was recorded (test/calibration/holdout25.test.ts, DRAINSIM_HOLDOUT25_OLD): the twin ' +
      'as it is on 250ceddf^ (a refused accept always closed with an RST: the client reads ECONNRESET).';
    writeOldModel(OLD_MODEL, note, { nginx });
  }, 900_000);
});

/**
 * The second batch's alternative: DRAINSIM_HOLDOUT25B_ALT=<dir>, the model of this branch's blind commit
 * built with its own npm ci and three edits, never committed — sim/model/lb/health.ts calls forgetFlows
 * at every DOWN, sim/model/topology.ts's forgetFlows calls serverConns.cleanupConnections(b), and
 * sim/model/vm/lifecycle.ts enterMaint cleans a server already DOWN too: HAProxy closing a server's idle
 * pool whenever it leaves service, as the running server's maint does (f2ee716b). 74c2193b pins the
 * opposite (its test fails on that mutation); no model commit has had it, so it stands for the rule's
 * plausible alternative.
 */
const altDirB = process.env.DRAINSIM_HOLDOUT25B_ALT;
describe.runIf(Boolean(altDirB))("held-out round 25, second batch: the alternative model's figures", () => {
  it(`runs the twin on the alternative and writes ${ALT_MODEL_B}`, async () => {
    const haproxy = await predictOldFlat(() => altDirB as string, HAPROXY25B);
    const note =
      "The alternative model's figures of the round-25 second-batch twin (the same seeds 1-5 and figures of " +
      "holdout25-figures.ts), written after the first batch's recording and before the second batch's run was " +
      'recorded (test/calibration/holdout25.test.ts, DRAINSIM_HOLDOUT25B_ALT): the twin on the blind commit’s model ' +
      'with srv_cleanup_connections() at every DOWN and every maint (a scratch mutation, never committed).';
    writeOldModel(ALT_MODEL_B, note, { haproxy });
  }, 900_000);
});

/**
 * Why 3 of the 20 probes read ECONNRESET at an idle worker, found after the recording (the blind note
 * said such a probe is possible and never predicted): a race the rule settles for nginx's side.
 */
const CLIENT_WON_RACE_CAUSE =
  'On loopback the handshake ends inside the client’s connect(): its last ACK puts the connection in nginx’s ' +
  'accept queue and wakes the worker from epoll_wait, and from then two processes race. nginx’s worker must be ' +
  'scheduled, accept4() it, run ngx_get_connection() — which writes its alert to error.log BEFORE returning NULL ' +
  '(nginx 1.22.1 src/core/ngx_connection.c ngx_get_connection(): ngx_log_error(NGX_LOG_ALERT, …, "%ui ' +
  'worker_connections are not enough") — and only then close (src/event/ngx_event_accept.c ngx_event_accept(): ' +
  'ngx_close_socket(s)); the client (node, libuv) must return from connect(), see the socket writable in its next ' +
  'epoll_wait, run the connect callback and write() its GET. When the GET is in first, __tcp_close() finds it unread ' +
  'and resets (net/ipv4/tcp.c: data_was_unread → tcp_send_active_reset()). On this 2-vCPU VM (load average 16.6, ' +
  'every process SCHED_FIFO 10) the client won for the three consecutive probes at 2.3, 2.4 and 2.5 s and lost the ' +
  'other 17 — a stretch when the worker’s wake-up was slow; the earlier recordings the rule was read from show ' +
  'the same share (2 of 23 refused first requests in nginx-holdout4-wc64-lazy, 1 of 4 upgrades in ' +
  'nginx-holdout22-ws-wc10-reset). The model decides the order by the worker’s CPU alone ' +
  '(sim/model/proxy/worker-connections.ts refusedClose(): RESET only while TLS handshakes keep the worker busy, ' +
  'else SERVER_FIN_THEN_RST), so at an idle worker it gives EOF to every refusal: right for most, with no share ' +
  'for the client winning. The model before 250ceddf (an RST always) is far off both rows (0 EOF, 20 ECONNRESET).';

/** Rows outside the tolerance, by `<run> / <figure>`: both values pinned, the cause read in the real source. */
export const GAPS25: Record<string, Gap> = {
  [`${REFUSED_IDLE} / ${NGINX25[REFUSED_IDLE][1].figure}`]: { real: 17, predicted: 20, cause: CLIENT_WON_RACE_CAUSE },
  [`${REFUSED_IDLE} / ${NGINX25[REFUSED_IDLE][2].figure}`]: { real: 3, predicted: 0, cause: CLIENT_WON_RACE_CAUSE },
};

/** The second batch's known gaps. */
export const GAPS25B: Record<string, Gap> = {};

const BATCH = { figures: NGINX25, predictions: PREDICTIONS, blind: BLIND25 };
const BATCH_B = { figures: HAPROXY25B, predictions: PREDICTIONS_B, blind: BLIND25B };
const RUNS = Object.keys(NGINX25);
const RUNS_B = Object.keys(HAPROXY25B);

/** Every row whose recording exists, against the blind prediction. */
export function rows25(): HeldOutRow[] {
  const p = readPredictions<Predictions>(PREDICTIONS);
  return flatRows(NGINX25, p.nginx).map(markZeros(MECHANISM_ZEROS25));
}

/** The second batch's rows whose recording exists, against its blind prediction. */
export function rows25B(): HeldOutRow[] {
  const p = readPredictions<PredictionsB>(PREDICTIONS_B);
  return flatRows(HAPROXY25B, p.haproxy).map(markZeros());
}

/** The old model's figure of a row (RULE25[run]^; the second batch: its alternative), or undefined without the file. */
export function oldModelOf(r: HeldOutRow): number | null | undefined {
  if (r.run in HAPROXY25B) {
    if (!existsSync(ALT_MODEL_B)) return undefined;
    return oldFigureOf(r, undefined, readPredictions<PredictionsB>(ALT_MODEL_B).haproxy);
  }
  if (!existsSync(OLD_MODEL)) return undefined;
  return oldFigureOf(r, undefined, readPredictions<Predictions>(OLD_MODEL).nginx);
}

const writing = write || writeB;
const recorded = writing || !existsSync(PREDICTIONS) ? [] : rows25();
const recordedB = writing || !existsSync(PREDICTIONS_B) ? [] : rows25B();
describe.skipIf(recorded.length === 0)('held-out round 25: the recording against the blind predictions', () => {
  printOldModelTable(recorded, { oldModelOf, ruleOf: (run) => RULE25[run], gaps: GAPS25 });
  everyRunRecordedTest(
    'its run is recorded',
    recorded,
    RUNS,
    BLIND25,
    'set BLIND25 to the commit of the twin and predictions',
  );
  blindRoundTests(recorded, { batches: [BATCH], digest: DEFINITIONS25, gaps: GAPS25, gapsName: 'GAPS25' });
});

describe.skipIf(recordedB.length === 0)(
  'held-out round 25, second batch: the recording against the blind predictions',
  () => {
    printOldModelTable(recordedB, { oldModelOf, ruleOf: (run) => RULE25B[run], gaps: GAPS25B });
    everyRunRecordedTest(
      'its run is recorded',
      recordedB,
      RUNS_B,
      BLIND25B,
      'set BLIND25B to the commit of the second batch',
    );
    blindRoundTests(recordedB, { batches: [BATCH_B], digest: DEFINITIONS25B, gaps: GAPS25B, gapsName: 'GAPS25B' });
  },
);
