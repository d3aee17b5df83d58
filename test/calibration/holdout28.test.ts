/**
 * Held-out validation, round 28 (session 34, hold28; calibration/README.md "Held-out validation,
 * round 28"): session 33's rules that no recording had checked blind, with nginx 1.22.1 and node 20
 * on loopback (holdout28-figures.ts):
 *
 * - nginx33 8f5efcf0: a try that fails after the connect frees its peer as failed and is sent to the
 *   next address of the upstream (ngx_http_upstream_next), not a POST already sent; every peer down:
 *   502 without a connect. Runs -stop-get, -stop-post (the app SIGSTOPped 3 s, proxy_read_timeout 1s).
 * - nginx33 a144cba2: a try takes only a cached upstream connection to its own address
 *   (ngx_http_upstream_get_keepalive_peer): `keepalive 1` behind two addresses reuses nothing.
 * - idle33 ad24c14b: node's http.globalAgent closes a connection idle 5 s (lib/_http_agent.js).
 *
 * Recorder calibration/nginx/holdout28.mjs. The twins and the predictions
 * (calibration/data/holdout28-predictions.json, written by DRAINSIM_WRITE_HOLDOUT28=1 below, with each
 * figure's tolerance) are committed BEFORE anything is recorded (BLIND28); the runs are then recorded
 * once. Nothing is refitted: a row outside its tolerance stays as a KNOWN GAP with both values and
 * its cause (GAPS28).
 */
import { existsSync } from 'node:fs';
import { describe } from 'vitest';
import {
  type FlatPredictions,
  flatRows,
  type Gap,
  type HeldOutRow,
  markZeros,
  predictFlat,
  readPredictions,
} from './heldout-rows.js';
import { blindTableText, everyRunRecordedTest } from './holdout-round.js';
import { blindRoundTests, blindWriter, printAfterAll } from './holdout-scaffold.js';
import { MECHANISM_ZEROS28, NGINX28 } from './holdout28-figures.js';

const PREDICTIONS = 'calibration/data/holdout28-predictions.json';
/** The commit holding the twins and predictions, made before any round-28 recording (null until then). */
const BLIND28: string | null = null;
/** The digest of the rows' run, figure, real value and tolerance (heldout-rows.ts definitionsDigest), pinned once recorded. */
const DEFINITIONS28 = '';

interface Predictions {
  note: string;
  nginx: FlatPredictions;
}

const write = blindWriter({
  round: 28,
  file: PREDICTIONS,
  rest:
    '. nginx: per run, per figure: means over seeds 1-5 (flat). The model is main at dd3371ea. Stated before ' +
    'recording: the -stop runs’ return of the failed peers falls on a whole second of nginx’s clock (ngx_time()), ' +
    'whose phase against the run the model cannot know (its clock starts on a whole second): the first 200 after ' +
    'the stop ±1 s, and the 502 / 200 counts may move by the 2-3 requests of that second; the app is SIGSTOPped ' +
    'and SIGCONTed by the recorder (a few ms late). In the -ka1 run the cached connection nginx closes to make ' +
    'room is the other address’s (ngx_http_upstream_free_keepalive_peer takes the cache’s least recently used).',
  predict: () => ({ nginx: predictFlat(NGINX28) }),
  figureSets: NGINX28,
});

/** Rows outside the tolerance, by `<run> / <figure>`: both values pinned, the cause read in the real source. */
export const GAPS28: Record<string, Gap> = {};

const BATCH = { figures: NGINX28, predictions: PREDICTIONS, blind: BLIND28 };
const RUNS = Object.keys(NGINX28);

/** Every row whose recording exists, against the blind prediction. */
export function rows28(): HeldOutRow[] {
  const p = readPredictions<Predictions>(PREDICTIONS);
  return flatRows(NGINX28, p.nginx).map(markZeros(MECHANISM_ZEROS28));
}

const recorded = write || !existsSync(PREDICTIONS) ? [] : rows28();
describe.skipIf(recorded.length === 0)('held-out round 28: the recording against the blind predictions', () => {
  printAfterAll(() => blindTableText(recorded, GAPS28));
  everyRunRecordedTest(
    'its runs are recorded',
    recorded,
    RUNS,
    BLIND28,
    'set BLIND28 to the commit of the twins and predictions',
  );
  blindRoundTests(recorded, { batches: [BATCH], digest: DEFINITIONS28, gaps: GAPS28, gapsName: 'GAPS28' });
});
