/**
 * Held-out validation, round 24 (session 30, hold24; calibration/README.md "Held-out validation,
 * round 24"): session 29's gunicorn rules on the gunicorn versions no recording had checked, in runs
 * where the rules decide figures (the model before each outside the tolerance):
 *
 * - gunicorn29 fcad6c96: `app.sigterm_keepalive: gunicorn-23` — gunicorn 20.1-23.x's gthread worker
 *   closes its listener at the poller's first wake-up after SIGTERM and waits for the requests in hand
 *   (workers/gthread.py ThreadWorker.run()). Runs v21, v22, v23: the tags 21.2.0, 22.0.0, 23.0.0,
 *   round 23's load. Old model: fcad6c96^ with the twin's value `gunicorn` (the only gunicorn value
 *   there, 24.0+'s kept listener).
 * - gunicorn29 6787f906: `app.graceful_timeout` — the arbiter SIGKILLs its workers graceful_timeout
 *   after the SIGTERM (arbiter.py Arbiter.stop()). Run gt1-v23: 23.0.0 with --graceful-timeout 1.
 *   Old model: 6787f906^ without the twin's graceful_timeout line (a key it lacks).
 *
 * Recorder calibration/gunicorn/holdout24.mjs. The twins and the predictions
 * (calibration/data/holdout24-predictions.json, written by DRAINSIM_WRITE_HOLDOUT24=1 below, with each
 * figure's tolerance) and the old models' figures (calibration/data/holdout24-old-model-predictions.json,
 * DRAINSIM_HOLDOUT24_OLD=<dir>: <dir>/fcad6c96 and <dir>/6787f906 are `git archive <rule>^` built)
 * are committed BEFORE anything is recorded (BLIND24); the runs are then recorded once. Nothing is
 * refitted: a row outside its tolerance stays as a KNOWN GAP with both values and its cause (GAPS24).
 * Recorded once from the blind commit (52003f84; d065d359, load average 16.7 at the start): 24 of 27 rows
 * within tolerance, 20 of 23 mechanism rows, 11 decided by a rule (fcad6c96: v21-v23's refused while
 * draining 18 vs old 0, unanswered 1 vs 20, first refusal 3.2 s vs 5.11 s; 6787f906: gt1's answers after
 * the SIGKILL 0 vs 11, cut 10 vs 0), all met. Three KNOWN GAPS, said in the blind commit: the last answer
 * on v21-v23 (5.00 s recorded, 5.11 s predicted) — 21.0+ resets the connect that woke the worker, which
 * the model serves as 20.1.0.
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
import { GUNICORN24, MECHANISM_ZEROS24, RULE24, V21, V22, V23 } from './holdout24-figures.js';

const PREDICTIONS = 'calibration/data/holdout24-predictions.json';
const OLD_MODEL = 'calibration/data/holdout24-old-model-predictions.json';
/** The commit holding the twins and predictions, made before any round-24 recording (null until then). */
const BLIND24: string | null = '52003f84804420c61c99353f9efa286f890117d6';
/** The digest of the rows' run, figure, real value and tolerance (heldout-rows.ts definitionsDigest), pinned once recorded. */
const DEFINITIONS24 = 'bda5057ad36ba43a';

interface Predictions {
  note: string;
  gunicorn: FlatPredictions;
}

const write = blindWriter({
  round: 24,
  file: PREDICTIONS,
  rest:
    '. gunicorn: per run, per figure: means over seeds 1-5 (v21, v22, v23: the tags 21.2.0, 22.0.0, 23.0.0 with ' +
    "round 23's load, `sigterm_keepalive: gunicorn-23`; gt1-v23: 23.0.0 with --graceful-timeout 1, " +
    '`graceful_timeout: 1s`. Stated before recording: the last-answer row is expected to miss on v21-v23 — ' +
    '21.0+ never reads the connect that wakes the worker, which the model serves as 20.1.0 does).',
  predict: () => ({ gunicorn: predictFlat(GUNICORN24) }),
  figureSets: GUNICORN24,
});

/** fcad6c96^ knows neither gunicorn-23 nor graceful_timeout: the twin with `gunicorn` (24.0+) and no graceful_timeout line. */
const asGunicorn24 = (text: string): string =>
  text
    .replace(
      /^ {2}sigterm_keepalive: gunicorn-23 .*$/m,
      '  sigterm_keepalive: gunicorn # the only gunicorn value of fcad6c96^ (24.0+)',
    )
    .replace(/^ {2}graceful_timeout: .*\n/m, '');
/** 6787f906^ has gunicorn-23 but no graceful_timeout: the twin without that line. */
const withoutGracefulTimeout = (text: string): string => text.replace(/^ {2}graceful_timeout: .*\n/m, '');

/** The old models' figures: DRAINSIM_HOLDOUT24_OLD=<dir>, <dir>/<rule> = `git archive <rule>^` built (RULE24). */
const oldDir = process.env.DRAINSIM_HOLDOUT24_OLD;
describe.runIf(Boolean(oldDir))("held-out round 24: the old models' figures", () => {
  it(`runs each twin on its rule's parent and writes ${OLD_MODEL}`, async () => {
    const of = (rule: string) => Object.fromEntries(Object.entries(GUNICORN24).filter(([run]) => RULE24[run] === rule));
    const dirOf = (run: string) => join(oldDir as string, RULE24[run]);
    const gunicorn = {
      ...(await predictOldFlat(dirOf, of('fcad6c96'), asGunicorn24)),
      ...(await predictOldFlat(dirOf, of('6787f906'), withoutGracefulTimeout)),
    };
    const note =
      "The old models' figures of the round-24 twins (the same seeds 1-5 and figures of holdout24-figures.ts), " +
      'written before any run was recorded (test/calibration/holdout24.test.ts, DRAINSIM_HOLDOUT24_OLD): v21, v22, ' +
      'v23 on `git archive fcad6c96^` with `sigterm_keepalive: gunicorn` (its only gunicorn value, 24.0+: the ' +
      'listener kept until the exit) and no graceful_timeout line; gt1-v23 on `git archive 6787f906^` without its ' +
      'graceful_timeout line (no arbiter SIGKILL: only shutdown_grace bounded the drain).';
    writeOldModel(OLD_MODEL, note, { gunicorn });
  }, 900_000);
});

/**
 * The cause of the three misses, said in the blind commit before the recording (the model serves the
 * connect that wakes the worker, as gunicorn 20.1.0 does; 21.0+ never reads it).
 */
const WAKING_CONNECT_CAUSE =
  'gunicorn 21.0.0 and later (benoitc/gunicorn 0ebb73aa, "gthread: only read sockets when they are readable"; ' +
  '21.2.0, 22.0.0 and 23.0.0 alike) accept() the connect that wakes the worker after SIGTERM but only register it ' +
  'with the poller (workers/gthread.py ThreadWorker.accept(): `self.poller.register(conn.sock, selectors.EVENT_READ, ' +
  'partial(self.on_client_socket_readable, conn))`, where 20.1.0 called self.enqueue_req(conn)); run() then leaves ' +
  '`while self.alive` and `self.poller.close()` drops the last reference to that TConn, its socket closed with the ' +
  'GET unread — an RST (net/ipv4/tcp.c __tcp_close()): the client of the 3.1-s connect read ECONNRESET at 3.100-3.101 s ' +
  'in all four runs, and the last answer is the last request in hand (5.001-5.002 s). The model follows 20.1.0 for ' +
  'every gunicorn-23 version (sim/model/app/app-process.ts, the waking connect served: README Known limitations, ' +
  "gunicorn's listener (3)): it answers that connect at 5.1 s. The counts it moves by one stay within ±2 (answers " +
  '21 vs 20, no answer 0 vs 1; gt1: 11 vs 10 cut at the SIGKILL). The old model (fcad6c96^, `gunicorn`) gives 5.0125 s here: ' +
  'its kept listener parks the waking connect, right on this row for the wrong reason (it misses the three rows ' +
  'the rule decides: 0 refused, 20 resets, first refusal 5.11 s).';

/** Rows outside the tolerance, by `<run> / <figure>`: both values pinned, the cause read in the real source. */
export const GAPS24: Record<string, Gap> = {
  [`${V21} / ${GUNICORN24[V21][5].figure}`]: { real: 5.002, predicted: 5.1125, cause: WAKING_CONNECT_CAUSE },
  [`${V22} / ${GUNICORN24[V22][5].figure}`]: { real: 5.001, predicted: 5.1125, cause: WAKING_CONNECT_CAUSE },
  [`${V23} / ${GUNICORN24[V23][5].figure}`]: { real: 5.001, predicted: 5.1125, cause: WAKING_CONNECT_CAUSE },
};

const BATCH = { figures: GUNICORN24, predictions: PREDICTIONS, blind: BLIND24 };
const RUNS = Object.keys(GUNICORN24);

/** Every row whose recording exists, against the blind prediction. */
export function rows24(): HeldOutRow[] {
  const p = readPredictions<Predictions>(PREDICTIONS);
  return flatRows(GUNICORN24, p.gunicorn).map(markZeros(MECHANISM_ZEROS24));
}

/** The old model's figure of a row (RULE24[run]^), or undefined without the file. */
export function oldModelOf(r: HeldOutRow): number | null | undefined {
  if (!existsSync(OLD_MODEL)) return undefined;
  return oldFigureOf(r, undefined, readPredictions<Predictions>(OLD_MODEL).gunicorn);
}

const recorded = write || !existsSync(PREDICTIONS) ? [] : rows24();
describe.skipIf(recorded.length === 0)('held-out round 24: the recording against the blind predictions', () => {
  printOldModelTable(recorded, { oldModelOf, ruleOf: (run) => RULE24[run], gaps: GAPS24 });
  everyRunRecordedTest(
    'every run is recorded',
    recorded,
    RUNS,
    BLIND24,
    'set BLIND24 to the commit of the twins and predictions',
  );
  blindRoundTests(recorded, { batches: [BATCH], digest: DEFINITIONS24, gaps: GAPS24, gapsName: 'GAPS24' });
});
