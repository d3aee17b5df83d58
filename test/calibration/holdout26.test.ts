/**
 * Held-out validation, round 26 (session 32, hold26; calibration/README.md "Held-out validation,
 * round 26"): session 31's rule that no recording had checked blind, in runs where it decides
 * figures (the model before it outside the tolerance):
 *
 * - ghost31 53120756: HAProxy 2.6 in mode http without `option abortonclose` goes on connecting for a
 *   client that gave up — its SYNs the server's full accept queue dropped are retransmitted and the
 *   request is served when one gets in (src/http_ana.c http_end_request() channel_dont_read(),
 *   src/stream.c process_stream(), src/backend.c back_handle_st_con()); with the option the connect
 *   is given up (CC). Old model: 53120756^, every such connect let go at its client's timeout.
 *
 * Recorder calibration/haproxy/holdout26.mjs. The twins and the predictions
 * (calibration/data/holdout26-predictions.json, written by DRAINSIM_WRITE_HOLDOUT26=1 below, with each
 * figure's tolerance) and the old model's figures (calibration/data/holdout26-old-model-predictions.json,
 * DRAINSIM_HOLDOUT26_OLD=<dir>: <dir> is 53120756^ built, its own npm ci; the abortonclose twin without
 * that line, as the old schema has no lb.abortonclose and did what the option does for every run) are
 * committed BEFORE anything is recorded (BLIND26); the runs are then recorded once. Nothing is
 * refitted: a row outside its tolerance stays as a KNOWN GAP with both values and its cause (GAPS26).
 * Recorded once from the blind commit (8f3a8342; 5427b505, load average 19.1): 8 of 18 rows, 6 of 16
 * mechanism rows. Without the option 7 of 9: the 8 rows 53120756 decides 6 met (59 served for nobody,
 * 40 SYN-SENT sockets in the stop, no CC; 53120756^ 2, 23, 57), 2 KNOWN GAPS (4 requests whose SYN met
 * the refilled queue after the SIGCONT came 1 s later). With `option abortonclose` in the backend
 * section 1 of 9: HAProxy 2.6.12 ignored it (src/stconn.c sc_conn_recv(): CO_RFL_KEEP_RECV only on the
 * stream's `be`, still the frontend; fixed upstream by 5ff7d2276), 8 KNOWN GAPS, a model defect.
 *
 * Second batch (after the first batch's recording): the option in `defaults`, where HAProxy 2.6 reads
 * it (BLIND26B a6cd8c92): 7 of 9 rows, 6 of 8 mechanism rows — every count the option decides met (2
 * served, none after T, 57 CC, 57 ListenOverflows), the 2 socket rows KNOWN GAPS said before recording
 * (the model frees an aborted connect at its next SYN firing, HAProxy at the client's FIN).
 *
 * Third batch (nginx, after the first two's recordings): lbfix31 e5d58670, a client's give-up (499)
 * closes nginx's upstream connection with a FIN — nginx's end in FIN_WAIT2, the app's in CLOSE_WAIT until
 * the app's late answer draws an RST (BLIND26C 045848a0; old model e5d58670^, freed at the 499): 6 of 6
 * rows, 4 of 4 mechanism rows (FIN-WAIT 10 at 3-5 s, predicted 10, e5d58670^ 0).
 * Round 26 in all: 21 of 33 rows, 16 of 28 mechanism rows.
 *
 * Post hoc, not blind (session 33): abort33 16a62ba0 closes the server side at the client's close; the
 * second batch's twin re-run with it meets all 9 rows (its 2 socket rows 16 and 2.5, as recorded). The
 * blind rows and their gaps stay as predicted.
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
  GHOSTS,
  GHOSTS_ABORT,
  GHOSTS_ABORT_DEFAULTS,
  HAPROXY26,
  HAPROXY26B,
  MECHANISM_ZEROS26,
  MECHANISM_ZEROS26B,
  MECHANISM_ZEROS26C,
  NGINX26C,
  RULE26,
  RULE26C,
} from './holdout26-figures.js';

const PREDICTIONS = 'calibration/data/holdout26-predictions.json';
const OLD_MODEL = 'calibration/data/holdout26-old-model-predictions.json';
/** The commit holding the twins and predictions, made before any round-26 recording (null until then). */
const BLIND26: string | null = '8f3a834214cd629338e8c9d4ee1f223980ed7765';
/** The digest of the rows' run, figure, real value and tolerance (heldout-rows.ts definitionsDigest), pinned once recorded. */
const DEFINITIONS26 = '60b12cd2052ef782';

interface Predictions {
  note: string;
  haproxy: FlatPredictions;
}

/** The second batch (`option abortonclose` in defaults): written after the first batch's recording, before its own run. */
const PREDICTIONS_B = 'calibration/data/holdout26b-predictions.json';
/** Its old model's figures (53120756^, the twin without its lb.abortonclose line). */
const OLD_MODEL_B = 'calibration/data/holdout26b-old-model-predictions.json';
/** The commit holding the second batch's twin and predictions, made before its recording (null until then). */
const BLIND26B: string | null = 'a6cd8c923358f30f1b196550514ba50d23592fe3';
/** The second batch's digest, pinned once recorded. */
const DEFINITIONS26B = '054f7564a6bf3e49';

/** The third batch (nginx, e5d58670): written after the first two batches' recordings, before its own run. */
const PREDICTIONS_C = 'calibration/data/holdout26c-predictions.json';
/** Its old model's figures (e5d58670^, built in its own scratch worktree). */
const OLD_MODEL_C = 'calibration/data/holdout26c-old-model-predictions.json';
/** The commit holding the third batch's twin and predictions, made before its recording (null until then). */
const BLIND26C: string | null = '045848a0c824673529d58b533dbca9530413ebfe';
/** The third batch's digest, pinned once recorded. */
const DEFINITIONS26C = 'eeeed89e41e63fc9';

interface PredictionsC {
  note: string;
  nginx: FlatPredictions;
}

const write = blindWriter({
  round: 26,
  file: PREDICTIONS,
  rest:
    '. haproxy: per run, per figure: means over seeds 1-5 (flat, no lb.uptime grid: the one check of the run passes ' +
    'before the load; T is the SIGCONT, 4.525 s in the twins, the recorded action time on a recording). Stated before ' +
    'recording: with abortonclose the model lets a connect go at its next SYN firing (≤ 1 s after its SYN), HAProxy ' +
    "at the client's close (800 ms), so the recorded sockets during the stop may be ≈ 4 below the prediction.",
  predict: () => ({ haproxy: predictFlat(HAPROXY26) }),
  figureSets: HAPROXY26,
});

const writeB = blindWriter({
  round: 26,
  batch: 'B',
  file: PREDICTIONS_B,
  twins: 'second-batch held-out twin',
  written: "after the first batch's recording, BEFORE its own run was recorded",
  rest:
    '. haproxy: per run, per figure: means over seeds 1-5 (as the first batch). The twin is the first batch’s ' +
    'abortonclose twin (the recorder moves `option abortonclose` from the backend to the defaults section, which ' +
    'the model does not tell apart). Stated before recording, as for the first batch: the model lets an aborted ' +
    "connect go at its next SYN firing, HAProxy at the client's close, so the sockets during the stop may be ≈ 4 " +
    'below the prediction; and HAProxy may close the 2 queued connections with an RST (SC_FL_NOLINGER, ' +
    'src/http_ana.c http_request_forward_body()) before the app reads their requests, which the model serves.',
  predict: () => ({ haproxy: predictFlat(HAPROXY26B) }),
  figureSets: HAPROXY26B,
});

const writeC = blindWriter({
  round: 26,
  batch: 'C',
  file: PREDICTIONS_C,
  twins: 'third-batch held-out twin',
  written: "after the first two batches' recordings, BEFORE its own run was recorded",
  rest:
    '. nginx: per run, per figure: means over seeds 1-5 (flat). Stated before recording: the model counts an ' +
    "orphaned FIN_WAIT2 end in time_wait (sockstat's tw) where ss shows FIN-WAIT-2, so the TIME-WAIT row reads only " +
    'after the late answers.',
  predict: () => ({ nginx: predictFlat(NGINX26C) }),
  figureSets: NGINX26C,
});

/** The twin restated for 53120756^'s schema, which has no lb.abortonclose (its behaviour was the option's). */
const withoutAbortonclose = (text: string): string => text.replace(/^ {2}abortonclose: true.*\n/m, '');

/** The old model's figures: DRAINSIM_HOLDOUT26_OLD=<dir>, 53120756^ built (RULE26). */
const oldDir = process.env.DRAINSIM_HOLDOUT26_OLD;
describe.runIf(Boolean(oldDir))("held-out round 26: the old model's figures", () => {
  it(`runs the twins on its rule's parent and writes ${OLD_MODEL}`, async () => {
    const haproxy = await predictOldFlat(() => oldDir as string, HAPROXY26, withoutAbortonclose);
    const note =
      "The old model's figures of the round-26 twins (the same seeds 1-5 and figures of holdout26-figures.ts), " +
      'written before the runs were recorded (test/calibration/holdout26.test.ts, DRAINSIM_HOLDOUT26_OLD): the twins ' +
      'on 53120756^ (a connect under way for a client that gave up is let go at its timeout), the abortonclose ' +
      "twin without its lb.abortonclose line (53120756^'s schema has no such key; it did for every run what the " +
      'option does).';
    writeOldModel(OLD_MODEL, note, { haproxy });
  }, 900_000);
});

/** The third batch's old model: DRAINSIM_HOLDOUT26C_OLD=<dir>, e5d58670^ built (RULE26C). */
const oldDirC = process.env.DRAINSIM_HOLDOUT26C_OLD;
describe.runIf(Boolean(oldDirC))("held-out round 26, third batch: the old model's figures", () => {
  it(`runs the twin on its rule's parent and writes ${OLD_MODEL_C}`, async () => {
    const nginx = await predictOldFlat(() => oldDirC as string, NGINX26C);
    const note =
      "The old model's figures of the round-26 third-batch twin (the same seeds 1-5 and figures of " +
      "holdout26-figures.ts), written after the first two batches' recordings and before the third batch's run " +
      'was recorded (test/calibration/holdout26.test.ts, DRAINSIM_HOLDOUT26C_OLD): the twin as it is on e5d58670^ ' +
      "(a client's give-up frees both ends of nginx's upstream connection at once, as an RST).";
    writeOldModel(OLD_MODEL_C, note, { nginx });
  }, 900_000);
});

describe.runIf(Boolean(oldDir))("held-out round 26, second batch: the old model's figures", () => {
  it(`runs the twin on its rule's parent and writes ${OLD_MODEL_B}`, async () => {
    const haproxy = await predictOldFlat(() => oldDir as string, HAPROXY26B, withoutAbortonclose);
    const note =
      "The old model's figures of the round-26 second-batch twin (the same seeds 1-5 and figures of " +
      "holdout26-figures.ts), written after the first batch's recording and before the second batch's run was " +
      'recorded (test/calibration/holdout26.test.ts, DRAINSIM_HOLDOUT26_OLD): the twin on 53120756^ without its ' +
      'lb.abortonclose line (no such key there; it did for every run what the option does).';
    writeOldModel(OLD_MODEL_B, note, { haproxy });
  }, 900_000);
});

/** The abortonclose run's recorded and predicted figures, in HAPROXY26's order (the input-fixed row 6 passes). */
const ABORT_REAL = [59, 28, 28, 1.072, 40, 16, 59, 0, 117];
const ABORT_PREDICTED = [2, 0, 0, 0.025, 23, 5, 59, 57, 57];

/**
 * Why 4 of the 59 given-up requests reached the app 2 s after the SIGCONT, not within 1.1 s, found
 * after the recording.
 */
const REFILLED_QUEUE_CAUSE =
  'After the SIGCONT (T = 4.525 s) every ghost comes back at its next SYN retransmission (Linux 6.18 ' +
  'tcp_syn_linear_timeouts 4: 1 s apart), about 40 a second for 1 s, into an accept queue of 2 (backlog 1) that the ' +
  'app empties one connection per loop iteration (libuv uv__server_io(): one accept() per poll). The app’s recv ' +
  'lines after T come in ones and twos about 32 ms apart, slower than the SYNs at times: 4 retransmitted SYNs (k = 46, ' +
  '47, 67, 88; HAProxy Tc 4186, 4136, 3137 and 2087 ms) met the queue full again after T and got in at their next ' +
  'retransmission, at T+1.96 and T+2.17 (125 ListenOverflows against 117.8 predicted). The model takes the same ' +
  'accept-per-iteration path (app/event-loop-accepts.ts) with the recorder’s service time (node answers at once: ' +
  '0.5 ms) and no such second miss in seeds 1-5 (latest receipt T+1.12); the rows within 1.1 s lose those 4 (25 ' +
  'against 28.2, one past ±2.5). Before 53120756 the model served none of these requests (latest T+0.025).';

/**
 * Why `option abortonclose` changed nothing, read in the real source after the recording: the
 * option was set in the backend section only (holdout26.mjs backendLines).
 */
const BACKEND_ONLY_CAUSE =
  'HAProxy 2.6.12 ignores `option abortonclose` set on a backend only for an HTTP/1 request received whole before ' +
  'the backend is chosen: the client’s FIN is never read. v2.6.0 src/stconn.c sc_conn_recv() asks the mux to keep ' +
  'reading (CO_RFL_KEEP_RECV) only when `__sc_strm(sc)->be->options & PR_O_ABRT_CLOSE` — at the read that completes ' +
  'the request `be` is still the frontend (no abortonclose there: it is not a frontend option) — and src/mux_h1.c ' +
  'h1_rcv_buf() subscribes for reads only with that flag or while the message is not H1_MSG_DONE (dedd30610, 2.2: ' +
  '"Don\'t wake the H1 tasklet if we got the whole request"). With no read, no CF_SHUTR, so process_stream() never ' +
  'sets CF_SHUTW_NOW and back_handle_st_con() (src/backend.c) never aborts: every connect went on exactly as without ' +
  'the option (59 served, SYN-SENT 8/28/48 in the stop, no CC, ListenOverflows 117). Fixed upstream by 5ff7d2276 ' +
  '(2023-11-14, "BUG/MEDIUM: stream: Properly handle abortonclose when set on backend only", haproxy/haproxy issue ' +
  '#2344, with e5cffa8ac and 450ff71c9: process_stream() calls the mux’s ctl(MUX_SUBS_RECV) once the backend is ' +
  'set; "to be backported as far as 2.2"), after 2.6.12 (2023-03). The option works in a defaults or listen ' +
  'section (the frontend has it too). The model’s lb.abortonclose: true gives every connect up at the client’s ' +
  'close wherever the option is written: right for those sections, not for a backend-only option on 2.6.12; the ' +
  'model before 53120756, which let every such connect go, is as far off.';

/** Rows outside the tolerance, by `<run> / <figure>`: both values pinned, the cause read in the real source. */
export const GAPS26: Record<string, Gap> = {
  [`${GHOSTS} / ${HAPROXY26[GHOSTS][2].figure}`]: { real: 25, predicted: 28.2, cause: REFILLED_QUEUE_CAUSE },
  [`${GHOSTS} / ${HAPROXY26[GHOSTS][3].figure}`]: { real: 2.171, predicted: 1.12, cause: REFILLED_QUEUE_CAUSE },
  ...Object.fromEntries(
    [0, 1, 2, 3, 4, 5, 7, 8].map((i) => [
      `${GHOSTS_ABORT} / ${HAPROXY26[GHOSTS_ABORT][i].figure}`,
      { real: ABORT_REAL[i], predicted: ABORT_PREDICTED[i], cause: BACKEND_ONLY_CAUSE },
    ]),
  ),
};

/**
 * Why HAProxy held fewer sockets to s1 than predicted with `option abortonclose` where it works
 * (defaults), stated before both batches were recorded (their notes), read in the source after.
 */
const ABORT_AT_CLOSE_CAUSE =
  'The model gives an aborted connect up only at its next SYN firing: sim/model/lb/l7-dispatch.ts abandon() marks ' +
  'the request and connectGoesOn() is read when the retransmission fires (place()), ≤ 1 s after its SYN, 0.2 s ' +
  'after the client’s 800-ms close; and it keeps the 2 connections waiting in the app’s accept queue until the app ' +
  'serves them. HAProxy 2.6 acts at the client’s FIN: with PR_O_ABRT_CLOSE the read0 sets CF_SHUTR, ' +
  'process_stream() (src/stream.c) sets CF_SHUTW_NOW during SC_ST_CON, and back_handle_st_con() (src/backend.c) ' +
  'aborts with SC_FL_NOLINGER, closing the SYN-SENT socket at once (log CC, 57); for the 2 established connections ' +
  'http_request_forward_body() (src/http_ana.c) sets SC_FL_NOLINGER on the read0 and the shutdown resets them (ss ' +
  'back:s1: 2 ESTAB at 2 s, none at 3 s; log CH 400, 2) — the app still read both requests after T (received before ' +
  'the RST). So 16 sockets at 3 and 4 s (20 a second × 0.8 s) against 23 predicted, and 5 and 0 at 5 and 6 s ' +
  'against 10 and 0. Every count the rule decides met: 2 served for nobody, none after T, 57 CC, 57 ListenOverflows. ' +
  'Since session 33 (abort33 16a62ba0, l7-dispatch.ts closeServerSide) the model closes the server side at the ' +
  'client’s close — the connect’s socket, and the queued connections with an RST — and gives 16 and 2.5 (the ' +
  'post-hoc rows); the blind prediction above stays as recorded.';

/** The second batch's known gaps. */
export const GAPS26B: Record<string, Gap> = {
  [`${GHOSTS_ABORT_DEFAULTS} / ${HAPROXY26B[GHOSTS_ABORT_DEFAULTS][4].figure}`]: {
    real: 16,
    predicted: 23,
    cause: ABORT_AT_CLOSE_CAUSE,
  },
  [`${GHOSTS_ABORT_DEFAULTS} / ${HAPROXY26B[GHOSTS_ABORT_DEFAULTS][5].figure}`]: {
    real: 2.5,
    predicted: 5,
    cause: ABORT_AT_CLOSE_CAUSE,
  },
};

/**
 * Post-hoc rows, NOT blind: abort33 16a62ba0 (session 33, read in the source after this
 * round's recordings: HAProxy's back_handle_st_con(), src/backend.c, aborts a connect at the client's
 * FIN; an established server connection is reset then) closes the server side at the client's close
 * (l7-dispatch.ts closeServerSide). The second batch's twin re-run with today's model (seeds 1-5):
 * its two socket rows, GAPS26B, now agree (16 and 2.5, as recorded). The blind rows stay as
 * predicted, their gaps pinned. The first batch's backend-only run is not re-run: HAProxy 2.6.12
 * ignored the option there (BACKEND_ONLY_CAUSE), a gap no model of the option closes.
 */
const POST_HOC_LABEL26B = 'after 16a62ba0 (not blind)';
export const postHocRows26B = (): HeldOutRow[] => {
  const today = predictFlat(HAPROXY26B);
  return rows26B().map((r) => ({ ...r, run: `${r.run} ${POST_HOC_LABEL26B}`, predicted: today[r.run][r.figure] }));
};
const postHoc26B = once(postHocRows26B);

const BATCH = { figures: HAPROXY26, predictions: PREDICTIONS, blind: BLIND26 };
const BATCH_B = { figures: HAPROXY26B, predictions: PREDICTIONS_B, blind: BLIND26B };
const BATCH_C = { figures: NGINX26C, predictions: PREDICTIONS_C, blind: BLIND26C };
const RUNS = Object.keys(HAPROXY26);
const RUNS_B = Object.keys(HAPROXY26B);
const RUNS_C = Object.keys(NGINX26C);

/** The third batch's known gaps. */
export const GAPS26C: Record<string, Gap> = {};

/** Every row whose recording exists, against the blind prediction. */
export function rows26(): HeldOutRow[] {
  const p = readPredictions<Predictions>(PREDICTIONS);
  return flatRows(HAPROXY26, p.haproxy).map(markZeros(MECHANISM_ZEROS26));
}

/** The second batch's rows whose recording exists, against its blind prediction. */
export function rows26B(): HeldOutRow[] {
  const p = readPredictions<Predictions>(PREDICTIONS_B);
  return flatRows(HAPROXY26B, p.haproxy).map(markZeros(MECHANISM_ZEROS26B));
}

/** The third batch's rows whose recording exists, against its blind prediction. */
export function rows26C(): HeldOutRow[] {
  const p = readPredictions<PredictionsC>(PREDICTIONS_C);
  return flatRows(NGINX26C, p.nginx).map(markZeros(MECHANISM_ZEROS26C));
}

/** The old model's figure of a row (53120756^; the third batch's e5d58670^), or undefined without the file. */
export function oldModelOf(r: HeldOutRow): number | null | undefined {
  if (r.run in NGINX26C) {
    if (!existsSync(OLD_MODEL_C)) return undefined;
    return oldFigureOf(r, undefined, readPredictions<PredictionsC>(OLD_MODEL_C).nginx);
  }
  const file = r.run in HAPROXY26B ? OLD_MODEL_B : OLD_MODEL;
  if (!existsSync(file)) return undefined;
  return oldFigureOf(r, undefined, readPredictions<Predictions>(file).haproxy);
}

const writing = write || writeB || writeC;
const recorded = writing || !existsSync(PREDICTIONS) ? [] : rows26();
const recordedB = writing || !existsSync(PREDICTIONS_B) ? [] : rows26B();
const recordedC = writing || !existsSync(PREDICTIONS_C) ? [] : rows26C();
describe.skipIf(recorded.length === 0)('held-out round 26: the recording against the blind predictions', () => {
  printOldModelTable(recorded, { oldModelOf, ruleOf: (run) => RULE26[run], gaps: GAPS26 });
  everyRunRecordedTest(
    'its runs are recorded',
    recorded,
    RUNS,
    BLIND26,
    'set BLIND26 to the commit of the twins and predictions',
  );
  blindRoundTests(recorded, { batches: [BATCH], digest: DEFINITIONS26, gaps: GAPS26, gapsName: 'GAPS26' });
});

describe.skipIf(recordedB.length === 0)(
  'held-out round 26, second batch: the recording against the blind predictions',
  () => {
    printOldModelTable(recordedB, { oldModelOf, ruleOf: (run) => RULE26[run], gaps: GAPS26B });
    everyRunRecordedTest(
      'its run is recorded',
      recordedB,
      RUNS_B,
      BLIND26B,
      'set BLIND26B to the commit of the second batch',
    );
    blindRoundTests(recordedB, { batches: [BATCH_B], digest: DEFINITIONS26B, gaps: GAPS26B, gapsName: 'GAPS26B' });

    it(`post-hoc, ${POST_HOC_LABEL26B}: the abortonclose-in-defaults run re-run with the server side closed at the client's close`, () => {
      const postHoc = postHoc26B();
      expect(postHoc.length).toBe(HAPROXY26B[GHOSTS_ABORT_DEFAULTS].length);
      process.stdout.write(`${tableLines(postHoc, {})}\npost-hoc (${POST_HOC_LABEL26B}): ${passedOf(postHoc)}\n`);
      expectPostHoc(postHoc);
    }, 900_000);
  },
);

describe.skipIf(recordedC.length === 0)(
  'held-out round 26, third batch: the recording against the blind predictions',
  () => {
    printOldModelTable(recordedC, { oldModelOf, ruleOf: (run) => RULE26C[run], gaps: GAPS26C });
    everyRunRecordedTest(
      'its run is recorded',
      recordedC,
      RUNS_C,
      BLIND26C,
      'set BLIND26C to the commit of the third batch',
    );
    blindRoundTests(recordedC, { batches: [BATCH_C], digest: DEFINITIONS26C, gaps: GAPS26C, gapsName: 'GAPS26C' });
  },
);
