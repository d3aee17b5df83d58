/**
 * Held-out validation, round 16 (session 24, hold16; calibration/README.md "Held-out validation,
 * round 16"): four HAProxy 2.6.12 runs in mode http, each where `http-check disable-on-404` (a8e458a,
 * recorded by session 23 in mode tcp only) decides a figure — kept-alive client connections stop
 * reaching the NOLB server at once, and it is UP again at the next 200; s1 killed after its NOLB
 * with and without `option redispatch` (no request fails or is redispatched: none is sent to it);
 * cookie users kept on the NOLB s1, then redispatched at once when it is killed (STOPPING <
 * RUNNING). The twins and the predictions (calibration/data/holdout16-predictions.json, written by
 * DRAINSIM_WRITE_HOLDOUT16=1 below, with each figure's tolerance) and the old model's figures
 * (calibration/data/holdout16-old-model-predictions.json: the twins without the 404 on
 * `git archive a8e458a^`, which has no disable-on-404) were committed BEFORE anything was recorded
 * (BLIND16); each run was then recorded once. Nothing is refitted: the table compares the blind
 * prediction with the recording (tolerances in holdout16-figures.ts, stated before recording); a row
 * outside it stays as a KNOWN GAP with both values and its cause (GAPS16). A row both sides put at 0
 * is marked input-fixed ("0 vs 0") but the rows whose 0 is the rule tested (MECHANISM_ZEROS16).
 * Recorded once each from the blind commit (63cb155; load average 5.2-6.8 at the starts): 18 of 20
 * rows within tolerance, 14 of 16 mechanism rows. The NOLB at the first 404 check, no request on
 * kept-alive connections, no failure or redispatch when the NOLB s1 is killed, the cookie users kept
 * and the UP at the first 200 agree; the two gaps refute a8e458a's redispatch rule (GAPS16: HAProxy
 * redispatches a NOLB server's refused persistent request at the last retry, STOPPING not being
 * below RUNNING). Two rows were marked derived after the recording (values and tolerances unchanged).
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type Gap,
  HAPROXY_NOTE_TAIL,
  type HaproxyPredictions,
  type HeldOutRow,
  haproxyRows,
  markZeros,
  predictHaproxy,
  readPredictions,
  readRecording,
  runOf,
} from './heldout-rows.js';
import { oldFigureOf, predictOldHaproxy, writeOldModel } from './holdout-old-model.js';
import { blindTableText, everyRunRecordedTest, rerunRecorded } from './holdout-round.js';
import {
  blindRoundTests,
  blindWriter,
  expectPostHoc,
  once,
  passedOf,
  printAfterAll,
  tableLines,
} from './holdout-scaffold.js';
import type { HaproxyRec8 } from './holdout8-figures.js';
import { HAPROXY16, MECHANISM_ZEROS16 } from './holdout16-figures.js';

const PREDICTIONS = 'calibration/data/holdout16-predictions.json';
const OLD_MODEL = 'calibration/data/holdout16-old-model-predictions.json';
/** The commit holding the twins and predictions, made before any round-16 recording (null until then). */
const BLIND16: string | null = '63cb1557e9e5fb0d5db14d494b5418938695a4b1';
/**
 * The digest of the rows' run, figure, real value and tolerance (heldout-rows.ts definitionsDigest),
 * pinned once recorded, with the blind commit's figure definitions (holdout16-figures.ts unchanged
 * since 63cb155).
 */
const DEFINITIONS16 = '577ffef8164cebc8';

interface Predictions {
  note: string;
  haproxy: HaproxyPredictions;
}

const write = blindWriter({
  round: 16,
  file: PREDICTIONS,
  rest:
    "; tolerances: each figure's, stated before recording (holdout16-figures.ts). haproxy: per run, " +
    HAPROXY_NOTE_TAIL,
  predict: () => ({ haproxy: predictHaproxy(HAPROXY16) }),
  figureSets: HAPROXY16,
});

/**
 * The old model's figures: DRAINSIM_HOLDOUT16_OLD_MODEL=<dir>, where <dir> holds `git archive
 * a8e458a^` built with `npx tsc -p tsconfig.json` (its dist/ and a node_modules link). That model
 * has no `health_check.disable_on_404` and no `health_404` / `health_200` actions: its twin is each
 * twin without those lines — s1's maintenance file does nothing, s1 stays UP and in the roundrobin
 * until its kill's failed checks (the nearest the old model comes to the run). The same uptime grid,
 * seeds 1-5 and figures.
 */
const oldDir = process.env.DRAINSIM_HOLDOUT16_OLD_MODEL;
describe.runIf(Boolean(oldDir))("held-out round 16: the old model's figures", () => {
  it(`runs the twins without the 404 on a8e458a^ and writes ${OLD_MODEL}`, async () => {
    const haproxy = await predictOldHaproxy(
      () => oldDir as string,
      HAPROXY16,
      (text) =>
        text
          .split('\n')
          .filter((l) => !/disable_on_404|health_404|health_200/.test(l))
          .join('\n')
          // The keep-alive twin's timeline holds the 404 and the 200 only.
          .replace(/\ntimeline:\s*$/, '\ntimeline: []\n'),
    );
    const note =
      "The old model's figures of the round-16 twins: each twin without `disable_on_404` and its `health_404` / " +
      '`health_200` actions (the model before a8e458a has neither: s1 stays UP), run on `git archive a8e458a^` ' +
      '(the same lb.uptime grid, seeds 1-5, the figures of holdout16-figures.ts), written before any run was ' +
      'recorded (test/calibration/holdout16.test.ts, DRAINSIM_HOLDOUT16_OLD_MODEL).';
    writeOldModel(OLD_MODEL, note, { haproxy });
  }, 900_000);
});

const COOKIE_KILL = 'haproxy-holdout16-cookie-404-kill-redispatch-3srv-http';

/**
 * The model's rule refuted (a8e458a, not the input): HAProxy redispatches a persistent request
 * refused by a NOLB server at the LAST retry, as from a running or drained one. In
 * stream_choose_redispatch() (v2.6.0 include/haproxy/stream.h, unchanged on master) the test is
 * `cur_state < SRV_ST_RUNNING`, and enum srv_state (include/haproxy/server-t.h) is STOPPED 0,
 * STARTING 1, RUNNING 2, STOPPING 3: a NOLB server is not below RUNNING. So the request keeps s1
 * (SC_ST_ASS), back_handle_st_cer() (src/backend.c) waits the 1-s turn-around twice, and the third
 * retry is redispatched (redispatch_after -1 with retries 3). The model's LoadBalancer.running()
 * counts NOLB as not running and redispatches at the first refusal.
 */
const CAUSE16_REDISPATCH_RULE =
  "the model's rule, refuted: HAProxy's stream_choose_redispatch() (v2.6.0 include/haproxy/stream.h) tests " +
  '`cur_state < SRV_ST_RUNNING`, and SRV_ST_STOPPING (NOLB) is 3, after RUNNING 2 (enum srv_state, ' +
  "include/haproxy/server-t.h): a NOLB server's persistent request is redispatched at the last retry, after " +
  "two 1-s turn-arounds (back_handle_st_cer(), src/backend.c), as a running server's — each of s1's users' " +
  "requests after the kill logged %rc 3 with '+', Tw 2002 ms, answered by s2 or s3 2.0 s after it was sent; " +
  'the twin (a8e458a: LoadBalancer.running() false for NOLB) redispatches at the first refusal (0.001 s). The ' +
  'old model (no NOLB: s1 running) gives 2.001 s, within the tolerance';

/** Rows outside the tolerance, by `<run> / <figure>`: both values pinned, the cause read in the real source. */
export const GAPS16: Record<string, Gap> = {
  [`${COOKIE_KILL} / longest client wait, any outcome (s)`]: {
    real: 2.0039999999999996,
    predicted: 0.001000000000000334,
    cause: CAUSE16_REDISPATCH_RULE,
  },
  [`${COOKIE_KILL} / retried or redispatched streams in [9, 16) s (log %rc > 0 or "+"; twin: attempts beyond one per request) (s1's users after its kill: refused, redispatched once each)`]:
    {
      real: 1,
      predicted: 5,
      cause:
        'the same rule (each of the 5 refused requests retried 3 times on s1 before its redispatch: the twin counts 1 ' +
        "extra attempt each, the old model 3, 15) and the figure's reading: the log's %Ts of a request on a " +
        'kept-alive connection is the end of the previous answer on it, so 4 of the 5 redispatched streams (sent ' +
        '9.069-9.218 s, after the kill at 9.008 s) are stamped 8.82-8.97 s and fall before the window; the fifth, ' +
        "slot 0's, came on a new connection (9.023 s) after its first request met the kill (EOF)",
    },
};

/**
 * Post-hoc rows, NOT blind: 2cff797 (review32 #1, from the source, committed after this round's
 * recording) made a NOLB server running for stream_choose_redispatch() (sim/model/lb/pool.ts
 * running()); the cookie run's twin re-run with the model of today at the recording's uptime (seeds
 * 1-5). The longest wait now agrees; the redispatched-streams row keeps its reading gap (the log's
 * %Ts of a kept-alive request; the twin counts attempts: 3 per refused request now). The blind rows
 * above stay as predicted, their gaps pinned.
 */
const POST_HOC_LABEL = 'after 2cff797 (not blind)';
const POST_HOC_GAPS16: Record<string, Gap> = {
  [`${COOKIE_KILL} / retried or redispatched streams in [9, 16) s (log %rc > 0 or "+"; twin: attempts beyond one per request) (s1's users after its kill: refused, redispatched once each)`]:
    {
      real: 1,
      predicted: 15,
      cause:
        "the figure's reading (GAPS16's second cause): the twin counts each of the 5 refused requests' 3 retries on s1; " +
        "the log stamps 4 of the 5 redispatched streams with the previous answer's end, before the window",
    },
};
export const postHocRows16 = (): HeldOutRow[] => rerunRecorded([COOKIE_KILL], (run) => HAPROXY16[run], POST_HOC_LABEL);
const postHoc16 = once(postHocRows16);

/** The round's one batch. */
const BATCHES = [{ figures: HAPROXY16, predictions: PREDICTIONS, blind: BLIND16 }];
const RUNS = Object.keys(HAPROXY16);

/** Every row whose recording exists, against the blind prediction. */
export function rows16(): HeldOutRow[] {
  return haproxyRows(HAPROXY16, readPredictions<Predictions>(PREDICTIONS).haproxy).map(markZeros(MECHANISM_ZEROS16));
}

/** The old model's figure of a row (the same run, uptime and figure), or undefined without the file. */
export function oldModelOf(r: HeldOutRow): number | null | undefined {
  if (!existsSync(OLD_MODEL)) return undefined;
  return oldFigureOf(r, readPredictions<Predictions>(OLD_MODEL).haproxy);
}

const recorded = write || !existsSync(PREDICTIONS) ? [] : rows16();
describe.skipIf(recorded.length === 0)('held-out round 16: the recordings against the blind predictions', () => {
  const rows = recorded;
  printAfterAll(
    () =>
      `${blindTableText(rows, GAPS16)}\nold model per row:\n` +
      rows.map((r) => `${runOf(r)} / ${r.figure}: ${oldModelOf(r)}`).join('\n') +
      '\n',
  );

  everyRunRecordedTest(
    'every run of the round is recorded',
    rows,
    RUNS,
    BLIND16,
    'set BLIND16 to the commit of the twins and predictions',
  );

  blindRoundTests(rows, { batches: BATCHES, digest: DEFINITIONS16, gaps: GAPS16, gapsName: 'GAPS16' });

  it(`post-hoc, ${POST_HOC_LABEL}: the cookie run re-run with NOLB running for the redispatch rule`, () => {
    const postHoc = postHoc16();
    expect(postHoc.length).toBe(HAPROXY16[COOKIE_KILL].length);
    process.stdout.write(
      `${tableLines(postHoc, POST_HOC_GAPS16)}\npost-hoc (${POST_HOC_LABEL}): ${passedOf(postHoc)}\n`,
    );
    expectPostHoc(postHoc, POST_HOC_GAPS16, 'POST_HOC_GAPS16');
  }, 900_000);
});

/**
 * What the cookie run shows beyond its rows, read after the recording (not blind, no prediction):
 * the rule the twin got wrong, in HAProxy's own log — every stream redispatched from the NOLB s1
 * after its kill was retried 3 times first (%rc 3 with '+'), waiting two 1-s turn-arounds (Tw).
 */
describe.skipIf(recorded.length === 0)('held-out round 16: the NOLB redispatch in the cookie run’s log', () => {
  it("s1's 5 users' requests after the kill: each retried 3 times on s1, then redispatched after 2 s", () => {
    const d = readRecording<HaproxyRec8>(`${COOKIE_KILL}-rt`);
    expect(d).not.toBeNull();
    const redispatched = (d as HaproxyRec8).haproxyLog.filter((l) => l[6] === 1);
    expect(redispatched).toHaveLength(5);
    for (const l of redispatched) {
      expect(l[5], 'retries before the redispatch (%rc)').toBe(3);
      expect(l[7], 'Tw: the two turn-arounds (ms)').toBeGreaterThanOrEqual(2000);
      expect(l[1], 'answered after the kill at 9.008 s').toBeGreaterThan(9.008);
    }
  });
});
