/**
 * Held-out validation, round 27 (session 33, hold27; calibration/README.md "Held-out validation,
 * round 27"): session 32's rules that no recording had checked blind, in runs where they decide
 * figures (the model before each outside the tolerance):
 *
 * - ghost32 1d1d3160: HAProxy 2.6 in mode http without `option abortonclose` keeps a queued request
 *   whose client left and sends it at its turn (src/http_ana.c http_end_request() channel_dont_read(),
 *   src/backend.c back_try_conn_req() / back_may_abort_req()). Old model: 1d1d3160^, the queued stream
 *   let go at its client's give-up.
 * - ghost32 4867ac73: with `option abortonclose` (in `defaults`, where HAProxy 2.6.12 reads it) a
 *   stream ends at its client's close, an open-loop client's included, and its slot goes to the next
 *   queued request. Old model: 4867ac73^, an open-loop client's stream kept until its answer.
 *
 * Recorder calibration/haproxy/holdout27.mjs. The twins and the predictions
 * (calibration/data/holdout27-predictions.json, written by DRAINSIM_WRITE_HOLDOUT27=1 below, with each
 * figure's tolerance) and the old models' figures (calibration/data/holdout27-old-model-predictions.json,
 * DRAINSIM_HOLDOUT27_OLD=<dir 1d1d3160^ built>,<dir 4867ac73^ built>, each its own npm ci) are
 * committed BEFORE anything is recorded (BLIND27), from main as it was at 7cbd9188 (abort33 changes
 * abortonclose's give-up timing in the same session: the abortonclose run's predictions are the
 * model's before it); the runs are then recorded once. Nothing is refitted: a row outside its
 * tolerance stays as a KNOWN GAP with both values and its cause (GAPS27).
 * Recorded once from the blind commit (a17686ca; a2593322, load average 25.2): 19 of 20 rows, 15 of 16
 * mechanism rows; the 12 rows the two rules decide (their parent outside the tolerance) all met.
 * Without the option all 8 requests reached the app one a second (the last at 7.117 s, predicted 7.1;
 * 1d1d3160^ 2.1), queue 4.0 (4.0; 0), no CQ (0; 5). With it in defaults each stream ended at its
 * client's close and the next queued one went at once (6 receipts in 1.655-2.153 s, predicted 6;
 * 4867ac73^ 1). 1 KNOWN GAP, stated before recording: HAProxy resets the aborted stream's server
 * connection (SC_FL_NOLINGER), the model keeps it until the app answers (ss back:s1 1 at 2.0 s, predicted 5).
 *
 * Second batch (after the first's recording): clients32 c1b2514f, curl's resend of a request that
 * failed on a reused keep-alive connection before any byte of its answer (curl 7.88.1 lib/transfer.c
 * Curl_retry_request()), through HAProxy mode tcp with the app under it killed (BLIND27B f4213038; old
 * model c1b2514f^, the request failed as Node's): 5 of 5 rows, 4 of 4 mechanism rows — 6 resends
 * (predicted 6, c1b2514f^ 0), no failed transfer (0, 6). Round 27 in all: 24 of 25 rows, 19 of 20
 * mechanism rows; the 14 rows the three rules decide all met.
 *
 * Post hoc, not blind (session 33): abort33 16a62ba0 closes the server side at the client's close; the
 * first batch's twins re-run with it (seeds 1-5) are compared with every row of the recording (the
 * post-hoc test). The blind predictions, the digest and GAPS27 stay as predicted.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
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
import { blindRoundTests, blindWriter, expectPostHoc, once, passedOf, tableLines } from './holdout-scaffold.js';
import {
  CURL27,
  HAPROXY27,
  MECHANISM_ZEROS27,
  MECHANISM_ZEROS27B,
  QUEUED,
  QUEUED_ABORT,
  RULE27,
  RULE27B,
} from './holdout27-figures.js';

const PREDICTIONS = 'calibration/data/holdout27-predictions.json';
const OLD_MODEL = 'calibration/data/holdout27-old-model-predictions.json';
/** The commit holding the twins and predictions, made before any round-27 recording (null until then). */
const BLIND27: string | null = 'a17686ca4e8897d49e0c4ee665c22155c1b55a44';
/** The digest of the rows' run, figure, real value and tolerance (heldout-rows.ts definitionsDigest), pinned once recorded. */
const DEFINITIONS27 = '253749debc339e88';

interface Predictions {
  note: string;
  haproxy: FlatPredictions;
}

/** The second batch (curl, c1b2514f): written after the first batch's recording, before its own run. */
const PREDICTIONS_B = 'calibration/data/holdout27b-predictions.json';
/** Its old model's figures (c1b2514f^, the twin without its clients.http.library line). */
const OLD_MODEL_B = 'calibration/data/holdout27b-old-model-predictions.json';
/** The commit holding the second batch's twin and predictions, made before its recording (null until then). */
const BLIND27B: string | null = 'f42130385b5f99435d0e4e08b0f2fb3976273a54';
/** The second batch's digest, pinned once recorded. */
const DEFINITIONS27B = '4c2eb99f1ba898d3';

const write = blindWriter({
  round: 27,
  file: PREDICTIONS,
  rest:
    '. haproxy: per run, per figure: means over seeds 1-5 (flat, no lb.uptime grid: the one check of the run passes ' +
    'before the load). The model is main at 7cbd9188 (abort33 changes abortonclose’s give-up timing in this ' +
    'session; these predictions are the model’s before it). Stated before recording: with abortonclose the model ' +
    "keeps an aborted stream's connection to s1 until the app answers, where HAProxy 2.6 may reset it at the abort " +
    '(SC_FL_NOLINGER, as round 26’s second batch saw for connections in the accept queue), so the abortonclose ' +
    "run's sockets at 2 s may be ≈ 1 against 5 predicted.",
  predict: () => ({ haproxy: predictFlat(HAPROXY27) }),
  figureSets: HAPROXY27,
});

const writeB = blindWriter({
  round: 27,
  batch: 'B',
  file: PREDICTIONS_B,
  twins: 'second-batch held-out twin',
  written: "after the first batch's recording, BEFORE its own run was recorded",
  rest:
    '. haproxy: per run, per figure: means over seeds 1-5 (flat). The model is main at 7cbd9188. Stated before ' +
    'recording: the curl processes start 10-250 ms late (their own start-up), so the phase of each one’s 300-ms ' +
    'transfers at the kill is not the twin’s; a curl whose connection is idle at the kill (about 1 ms between two ' +
    'transfers) sees the close before its next transfer and opens a new connection without a resend, so the ' +
    'resends may be 1 below 6.',
  predict: () => ({ haproxy: predictFlat(CURL27) }),
  figureSets: CURL27,
});

/** The twin restated for c1b2514f^'s schema, which has no clients.http.library (it failed as node does). */
const withoutLibrary = (text: string): string => text.replace(/^ {4}library: curl.*\n/m, '');

/** The second batch's old model: DRAINSIM_HOLDOUT27B_OLD=<dir>, c1b2514f^ built (RULE27B). */
const oldDirB = process.env.DRAINSIM_HOLDOUT27B_OLD;
describe.runIf(Boolean(oldDirB))("held-out round 27, second batch: the old model's figures", () => {
  it(`runs the twin on its rule's parent and writes ${OLD_MODEL_B}`, async () => {
    const haproxy = await predictOldFlat(() => oldDirB as string, CURL27, withoutLibrary);
    const note =
      "The old model's figures of the round-27 second-batch twin (the same seeds 1-5 and figures of " +
      "holdout27-figures.ts), written after the first batch's recording and before the second batch's run was " +
      'recorded (test/calibration/holdout27.test.ts, DRAINSIM_HOLDOUT27B_OLD): the twin on c1b2514f^ without its ' +
      'clients.http.library line (no such key there; every client failed such a request as Node’s does).';
    writeOldModel(OLD_MODEL_B, note, { haproxy });
  }, 900_000);
});

/** The old models: DRAINSIM_HOLDOUT27_OLD=<1d1d3160^ dir>,<4867ac73^ dir>, each built (RULE27). */
const oldDirs = process.env.DRAINSIM_HOLDOUT27_OLD?.split(',');
describe.runIf(Boolean(oldDirs))("held-out round 27: the old models' figures", () => {
  it(`runs each twin on its rule's parent and writes ${OLD_MODEL}`, async () => {
    const [queuedDir, abortDir] = oldDirs as string[];
    const haproxy = await predictOldFlat((run) => (run === QUEUED ? queuedDir : abortDir) as string, HAPROXY27);
    const note =
      "The old models' figures of the round-27 twins (the same seeds 1-5 and figures of holdout27-figures.ts), " +
      'written before the runs were recorded (test/calibration/holdout27.test.ts, DRAINSIM_HOLDOUT27_OLD): ' +
      `${QUEUED} on 1d1d3160^ (a queued stream let go at its client's give-up), ${QUEUED_ABORT} on 4867ac73^ ` +
      "(an open-loop client's stream kept on its server until its answer, with abortonclose too); both twins as they are.";
    writeOldModel(OLD_MODEL, note, { haproxy });
  }, 900_000);
});

/**
 * Why HAProxy held one socket to s1 at 2 s with `option abortonclose` where the model holds five,
 * stated before the recording (the predictions' note), read in the source after.
 */
const RESET_AT_ABORT_CAUSE =
  'HAProxy 2.6 resets its connection to the server when it aborts a stream at the client’s close: v2.6.0 ' +
  'src/http_ana.c http_request_forward_body(), with PR_O_ABRT_CLOSE on a request in HTTP_MSG_DONE, reads the ' +
  'client’s close (channel_auto_read) and on CF_SHUTR sets SC_FL_NOLINGER on the server side before ' +
  'channel_auto_close(); process_stream() then shuts it (sc_shutw(), a close with SO_LINGER 0: an RST) — the ' +
  'app’s `gone` line came at each abort (1.655-2.253 s) and ss showed one ESTAB connection to s1 at 2.0 s, the ' +
  'stream then in service; the log says CH 400 (http_wait_for_response() case 3 "client abort with an abortonclose": ' +
  'txn->status = 400, SF_ERR_CLICL, its response not started). The model ends the stream at the client’s close (4867ac73: it leaves its server, ' +
  'the slot goes to the next, every count met) but sim/model/lb/l7-dispatch.ts abandon() kills its server ' +
  'connection only for a vanished host (`!answersBalancer`): the connection stays busy until the app answers ' +
  '(lb_ports_busy 5 at 2.0 s, falling to 0 at 3.15 s). Round 26’s second batch saw the same reset for ' +
  'connections waiting in the app’s accept queue (GAPS26B). Since session 33 (abort33 16a62ba0, l7-dispatch.ts ' +
  'closeServerSide) the model resets the server connection at the client’s close (the post-hoc rows); the blind ' +
  'prediction above stays as recorded.';

/** Rows outside the tolerance, by `<run> / <figure>`: both values pinned, the cause read in the real source. */
export const GAPS27: Record<string, Gap> = {
  [`${QUEUED_ABORT} / ${HAPROXY27[QUEUED_ABORT][9].figure}`]: { real: 1, predicted: 5, cause: RESET_AT_ABORT_CAUSE },
};

/**
 * Post-hoc rows, NOT blind: abort33 16a62ba0 (session 33, after this round's recording; HAProxy's
 * http_request_forward_body(), src/http_ana.c, sets SC_FL_NOLINGER on the server side at the client's
 * close with PR_O_ABRT_CLOSE, and the shutdown resets it) closes the server side at the client's close
 * (l7-dispatch.ts closeServerSide). The first batch's two twins re-run with today's model (seeds 1-5),
 * every row of the recording against it. The blind rows stay as predicted, GAPS27 pinned.
 */
const POST_HOC_LABEL27 = 'after 16a62ba0 (not blind)';
export const postHocRows27 = (): HeldOutRow[] => {
  const today = predictFlat(HAPROXY27);
  return rows27().map((r) => ({ ...r, run: `${r.run} ${POST_HOC_LABEL27}`, predicted: today[r.run][r.figure] }));
};
const postHoc27 = once(postHocRows27);

const BATCH = { figures: HAPROXY27, predictions: PREDICTIONS, blind: BLIND27 };
const BATCH_B = { figures: CURL27, predictions: PREDICTIONS_B, blind: BLIND27B };
const RUNS = Object.keys(HAPROXY27);
const RUNS_B = Object.keys(CURL27);

/** The second batch's known gaps. */
export const GAPS27B: Record<string, Gap> = {};

/** The second batch's rows whose recording exists, against its blind prediction. */
export function rows27B(): HeldOutRow[] {
  const p = readPredictions<Predictions>(PREDICTIONS_B);
  return flatRows(CURL27, p.haproxy).map(markZeros(MECHANISM_ZEROS27B));
}

/** Every row whose recording exists, against the blind prediction. */
export function rows27(): HeldOutRow[] {
  const p = readPredictions<Predictions>(PREDICTIONS);
  return flatRows(HAPROXY27, p.haproxy).map(markZeros(MECHANISM_ZEROS27));
}

/** The old model's figure of a row (RULE27's parent), or undefined without the file. */
export function oldModelOf(r: HeldOutRow): number | null | undefined {
  const file = r.run in CURL27 ? OLD_MODEL_B : OLD_MODEL;
  if (!existsSync(file)) return undefined;
  return oldFigureOf(r, undefined, readPredictions<Predictions>(file).haproxy);
}

const writing = write || writeB;
const recorded = writing || !existsSync(PREDICTIONS) ? [] : rows27();
const recordedB = writing || !existsSync(PREDICTIONS_B) ? [] : rows27B();
describe.skipIf(recorded.length === 0)('held-out round 27: the recording against the blind predictions', () => {
  printOldModelTable(recorded, { oldModelOf, ruleOf: (run) => RULE27[run], gaps: GAPS27 });
  everyRunRecordedTest(
    'its runs are recorded',
    recorded,
    RUNS,
    BLIND27,
    'set BLIND27 to the commit of the twins and predictions',
  );
  blindRoundTests(recorded, { batches: [BATCH], digest: DEFINITIONS27, gaps: GAPS27, gapsName: 'GAPS27' });

  it(`post-hoc, ${POST_HOC_LABEL27}: both runs re-run with the server side closed at the client's close`, () => {
    const postHoc = postHoc27();
    expect(postHoc.length).toBe(RUNS.reduce((n, run) => n + HAPROXY27[run].length, 0));
    process.stdout.write(`${tableLines(postHoc, {})}\npost-hoc (${POST_HOC_LABEL27}): ${passedOf(postHoc)}\n`);
    expectPostHoc(postHoc);
  }, 900_000);
});

describe.skipIf(recordedB.length === 0)(
  'held-out round 27, second batch: the recording against the blind predictions',
  () => {
    printOldModelTable(recordedB, { oldModelOf, ruleOf: (run) => RULE27B[run], gaps: GAPS27B });
    everyRunRecordedTest(
      'its run is recorded',
      recordedB,
      RUNS_B,
      BLIND27B,
      'set BLIND27B to the commit of the second batch',
    );
    blindRoundTests(recordedB, { batches: [BATCH_B], digest: DEFINITIONS27B, gaps: GAPS27B, gapsName: 'GAPS27B' });
  },
);
