/**
 * Held-out validation, round 15 (session 23, hold15; calibration/README.md "Held-out validation,
 * round 15"): nginx 1.22.1 runs under a paced TLS storm (calibration/nginx/holdout15.mjs), each where a
 * rule modelled in session 22 (reload22) and tested by no recording decides a figure — a reload from 2
 * `reuseport` workers to 1 resets the accept queue of the socket no new worker inherits at the old
 * workers' QUIT (6fd3eab), with plain TLS and with WebSocket clients, and a QUIT resets the WebSocket
 * connections whose upgrade waits behind a queued TLS handshake (5681843). Three batches (BATCHES),
 * each with its twins, its predictions over a handshake_cpu grid (read at the recording's own serial
 * measurement) with each figure's tolerance, and the old model's figures (`git archive <commit>^`),
 * committed BEFORE its recordings; each run recorded once. 15B and 15C record batch 15's two reload
 * runs again with the same twin input after the recorder failed to deliver it (15) and then starved
 * the workers (15B: nginx's own autogroup). Nothing is refitted: a row outside its tolerance stays a
 * KNOWN GAP with both values and its cause (GAPS15). Recorded: 12 of 41 rows within tolerance, 5 of
 * 28 mechanism rows; 5681843's quit run passes its rule rows blind, 6fd3eab's reload runs reset exactly
 * the dropped socket's queue (ss, the last describe) with counts the blind twins miss on this 2-core
 * machine (the workers had a tenth or a half of a core each until the reload, the twin a whole one).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../sim/result.js';
import { runScenario } from '../../sim/run-scenario.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { namedScenario } from '../../sim/scenario/load-for-run.js';
import { ScenarioSchema } from '../../sim/scenario/schema.js';
import {
  blindPredictionsWriter,
  type FlatPredictions,
  flatRows,
  type Gap,
  type HeldOutRow,
  keyOf,
  markZeros,
  readPredictions,
  readRecording,
  runOf,
  type SourceStamped,
  show,
  TABLE_HEAD,
  tableLine,
} from './heldout-rows.js';
import { blindRoundTests, countsText, recordingsOf, type Batch as ScaffoldBatch } from './holdout-scaffold.js';
import { SEEDS7 } from './holdout7-figures.js';
import {
  HANDSHAKE_GRID_MS,
  handshakeKey,
  measuredHandshakeMs,
  NGINX15,
  NGINX15B,
  NGINX15C,
  type NginxRec15,
  RULES15,
} from './holdout15-figures.js';

/**
 * A batch of the round (holdout-scaffold.ts Batch: its runs' figures, its predictions file, its blind
 * commit, the one holding its twins and predictions, made before its recordings) and its old-model file.
 */
interface Batch extends ScaffoldBatch<(typeof NGINX15)[string]> {
  figures: typeof NGINX15;
  oldModel: string;
}
/**
 * Batch 15 (the three runs), 15B and 15C (the two reload runs again, the same twins' input, each
 * predicted after the previous batch's recordings, before its own: the recorder's worker scheduling
 * changed, calibration/nginx/holdout15.mjs schedWorker).
 */
const BATCHES: Record<string, Batch> = {
  '15': {
    figures: NGINX15,
    predictions: 'calibration/data/holdout15-predictions.json',
    oldModel: 'calibration/data/holdout15-old-model-predictions.json',
    blind: '9a5237e8c99016f9256fd5e57845808e63a38fac',
  },
  '15b': {
    figures: NGINX15B,
    predictions: 'calibration/data/holdout15b-predictions.json',
    oldModel: 'calibration/data/holdout15b-old-model-predictions.json',
    blind: 'ec5ec26c5ab418598b30adde6910b4448546ac08',
  },
  '15c': {
    figures: NGINX15C,
    predictions: 'calibration/data/holdout15c-predictions.json',
    oldModel: 'calibration/data/holdout15c-old-model-predictions.json',
    blind: '44b44859d88b60a3b24319f21237a1f517057fb8',
  },
};
const PREDICTIONS = BATCHES['15'].predictions;
/** The batch of a run. */
const batchOf = (run: string): Batch =>
  Object.values(BATCHES).find((b) => run in b.figures) ?? (BATCHES['15'] as Batch);
/**
 * The digest of the rows' run, figure, real value and tolerance (heldout-rows.ts definitionsDigest), pinned
 * once every batch was recorded: holdout15-figures.ts's NGINX15 as at the blind commit 9a5237e (15B and 15C
 * take the same figures under their run names).
 */
const DEFINITIONS15 = '3cb0ac7b3b87259a';

/** Per run, per handshake_cpu grid key (ms, one decimal: holdout15-figures.ts handshakeKey), per figure. */
type GridPredictions = Record<string, Record<string, Record<string, number | null>>>;

interface Predictions {
  note: string;
  nginx: GridPredictions;
}

/** The sim a twin runs on: today's, or an old tree's dist (the old model's figures). */
interface Sim {
  runScenario: typeof runScenario;
  loadScenario: typeof loadScenario;
  namedScenario: typeof namedScenario;
  ScenarioSchema: typeof ScenarioSchema;
}
const TODAY: Sim = { runScenario, loadScenario, namedScenario, ScenarioSchema };

/** Every twin's figures at every handshake_cpu of the grid, seeds 1-5 (means). */
function predictGrid(sim: Sim, sets: typeof NGINX15): GridPredictions {
  return Object.fromEntries(
    Object.entries(sets).map(([run, figures]) => {
      const file = `calibration/scenarios/${run}.yaml`;
      const parsed = sim.namedScenario(sim.loadScenario(file, sim.ScenarioSchema));
      const byKey = HANDSHAKE_GRID_MS.map((ms) => {
        const scenario = { ...parsed, app: { ...parsed.app, tls: { ...parsed.app.tls, handshake_cpu: ms / 1000 } } };
        const runs: RunResult[] = SEEDS7.map((seed) => sim.runScenario(scenario, { seed, file }));
        return [handshakeKey(ms), Object.fromEntries(figures.map((f) => [f.figure, f.sim(runs)]))];
      });
      return [run, Object.fromEntries(byKey)];
    }),
  );
}

/** A batch's blind predictions: its twins' figures over the handshake_cpu grid (run inside the writer's test). */
const predictions15 = (id: string) => {
  const note =
    id === '15'
      ? 'drainsim predictions of the round-15 held-out twins (calibration/scenarios/<run>.yaml), written BEFORE any ' +
        'run was recorded (test/calibration/holdout15.test.ts, DRAINSIM_WRITE_HOLDOUT15=1); tolerances: each ' +
        "figure's, stated before recording (holdout15-figures.ts). nginx: per run, keyed by app.tls.handshake_cpu " +
        "(ms, the recording's own serial measurement, read at the nearest grid value), per figure: means over seeds 1-5."
      : `drainsim predictions of the round-15 batch-${id.toUpperCase()} twins (calibration/scenarios/<run>.yaml: batch 15’s reload ` +
        "twins' input), written after the previous batch's recordings and BEFORE these runs were recorded " +
        `(test/calibration/holdout15.test.ts, DRAINSIM_WRITE_HOLDOUT${id.toUpperCase()}=1); as batch 15’s: per run, keyed by ` +
        'app.tls.handshake_cpu (ms), per figure: means over seeds 1-5.';
  return { note, nginx: predictGrid(TODAY, (BATCHES[id] as Batch).figures) } satisfies Predictions;
};
/** Whether this run writes a batch's predictions (each env var once, before that batch is recorded). */
const writer = (id: string, predict: () => object): boolean =>
  blindPredictionsWriter(
    `DRAINSIM_WRITE_HOLDOUT${id.toUpperCase()}`,
    (BATCHES[id] as Batch).predictions,
    `held-out round 15, batch ${id.toUpperCase()}`,
    predict,
    (BATCHES[id] as Batch).figures,
  );
const predict15 = () => predictions15('15');
const predict15B = () => predictions15('15b');
const predict15C = () => predictions15('15c');
const writing = [writer('15', predict15), writer('15b', predict15B), writer('15c', predict15C)];

/**
 * The old model's figures: DRAINSIM_HOLDOUT15_OLD_MODEL=<dir> DRAINSIM_HOLDOUT15_OLD_COMMIT=<commit>,
 * where <dir> holds `git archive <commit>^` built with `npx tsc -p tsconfig.json` (its dist/ and a
 * node_modules link): the twins run on that tree's sim over the same grid, seeds 1-5, the same
 * figures; added to OLD_MODEL under <commit>.
 */
const oldDir = process.env.DRAINSIM_HOLDOUT15_OLD_MODEL;
const oldCommit = process.env.DRAINSIM_HOLDOUT15_OLD_COMMIT;
/** DRAINSIM_HOLDOUT15_OLD_BATCH=15b (or 15c): that batch's twins, into its old-model file (default 15). */
const oldBatch = BATCHES[process.env.DRAINSIM_HOLDOUT15_OLD_BATCH ?? '15'] as Batch;
const oldFile = oldBatch.oldModel;
describe.runIf(Boolean(oldDir && oldCommit))("held-out round 15: the old model's figures", () => {
  it(`runs the twins on ${oldCommit}^ and adds them to ${oldFile}`, async () => {
    const dist = resolve(oldDir as string, 'dist/sim');
    const sim: Sim = {
      runScenario: (await import(`${dist}/run-scenario.js`)).runScenario,
      loadScenario: (await import(`${dist}/scenario/load.js`)).loadScenario,
      namedScenario: (await import(`${dist}/scenario/load-for-run.js`)).namedScenario,
      ScenarioSchema: (await import(`${dist}/scenario/schema.js`)).ScenarioSchema,
    };
    const old = existsSync(oldFile) ? JSON.parse(readFileSync(oldFile, 'utf8')) : {};
    old.note ??=
      "The old model's figures of the round-15 twins: per commit C, the twins run on `git archive C^` (the same " +
      'handshake_cpu grid, seeds 1-5, the figures of holdout15-figures.ts), written before any run was recorded ' +
      '(test/calibration/holdout15.test.ts, DRAINSIM_HOLDOUT15_OLD_MODEL).';
    old[oldCommit as string] = predictGrid(sim, oldBatch.figures);
    writeFileSync(oldFile, `${JSON.stringify(old, null, 1)}\n`);
  }, 900_000);
});

/** Rows outside the tolerance, by `<run> / <figure>`: both values pinned, the cause read in the real source. */
/**
 * Batch 15's reload runs did not get their input: the recorder, not the model (calibration/nginx/holdout15.mjs
 * schedWorker).
 */
const CAUSE15_INPUT =
  "input not delivered (batch 15's recorder): two never-blocking SCHED_FIFO workers and the SCHED_FIFO client on " +
  "the 2 cores starved the kernel's SCHED_OTHER threads (ksoftirqd, the RCU and workqueue threads `ip netns exec` " +
  "waits on): the client's connects stalled (600 issued in 0.994 s, 400 in 0.572 s, planned 0.15 / 0.16 s) and " +
  '`nginx -s reload` took 862 / 508 ms, so the old workers got their QUIT at about 1.0 / 0.55 s, most of socket 1 ' +
  'handshaken by then. Recorded again as batches 15B and 15C';
/** Batch 15B: the input delivered, the workers starved by the autogroup. */
const CAUSE15B_CPU =
  "the machine, not the rule: the workers ran about 10 ms of CPU in 100 ms each (SCHED_OTHER nice -20 inside nginx's " +
  'own nice-0 autogroup, kernel.sched_autogroup_enabled 1; CPU samples), 14 / 5 handshakes by the reload against ' +
  "the twin's 150 / 90 on two whole cores, so the dropped socket still held 271 / 178 at the old workers' close " +
  "(ss) and all of them were reset (the rule: reset = that queue), the old workers' last pass took longer (the " +
  'first reset), the inherited socket held more for the new worker (the rows after the reload), and the end ' +
  'counts are the connections less the reset';
/** Batch 15C: the input delivered, the workers sharing a core while the client ran. */
const CAUSE15C_CPU =
  'the 2-core machine, not the rule: while the SCHED_FIFO client opened and handshook its connections on one core ' +
  'the two workers shared the other (about 0.5 core each, CPU samples; the twin gives each a whole core): 69 / 13 ' +
  "handshakes by the reload against 150 / 92, so the dropped socket held 269 / 183 at the old workers' close (ss) " +
  'and 269 / 182 were reset (the rule: reset = that queue); the inherited socket held more for the new worker (the ' +
  'rows after the reload); the end counts are the connections less the reset';
/** The quit run's one mechanism row outside. */
const CAUSE15_QUIT_CPU =
  "the worker got 0.8-0.9 of a core (CPU samples: 80-90 ms in 100 ms), not the twin's whole one, while the " +
  'SCHED_FIFO client issued its connections and the harness sampled; `nginx -s quit` itself took 39 ms (the ' +
  "twin's quit is at once), in which the worker handshook about as many again, so the reset row holds (345 vs 340)";

const GAPS15: Record<string, Gap> = {
  "nginx-holdout15-reload-w2to1-reuseport-c600 / connections reset in the accept queue (client: ECONNRESET before its handshake; twin: nginx.accept_queue_reset) (old worker 1's socket, dropped by the reload, closed at the old workers' QUIT)":
    { real: 34, predicted: 196.4, cause: CAUSE15_INPUT },
  'nginx-holdout15-reload-w2to1-reuseport-c600 / first reset, s after the planned `nginx -s reload`': {
    real: 0.8484309999999999,
    predicted: 0.10075000000000722,
    cause: CAUSE15_INPUT,
  },
  'nginx-holdout15-reload-w2to1-reuseport-c600 / handshakes done by the planned `nginx -s reload` (two workers on the 2 cores the client shares)':
    { real: 9, predicted: 146, cause: CAUSE15_INPUT },
  'nginx-holdout15-reload-w2to1-reuseport-c600 / handshakes done from 0.3 s after the planned `nginx -s reload` to the end (new worker 0 on the inherited socket 0; socket 1 queue reset)':
    { real: 320, predicted: 138.6, cause: CAUSE15_INPUT },
  'nginx-holdout15-reload-w2to1-reuseport-c600 / handshakes done by the end (twin: sessions at 5.99 s)': {
    real: 566,
    predicted: 403.6,
    cause: CAUSE15_INPUT,
  },
  'nginx-holdout15-reload-w2to1-reuseport-ws-c400 / connections reset in the accept queue (client: ECONNRESET before its handshake; twin: nginx.accept_queue_reset) (the WebSocket clients whose upgrade waits on the dropped socket 1)':
    { real: 45, predicted: 124.2, cause: CAUSE15_INPUT },
  'nginx-holdout15-reload-w2to1-reuseport-ws-c400 / first reset, s after the planned `nginx -s reload`': {
    real: 0.49432599999999993,
    predicted: 0.10242000000000506,
    cause: CAUSE15_INPUT,
  },
  'nginx-holdout15-reload-w2to1-reuseport-ws-c400 / handshakes done by the planned `nginx -s reload` (two workers on the 2 cores the client shares)':
    { real: 16, predicted: 87, cause: CAUSE15_INPUT },
  'nginx-holdout15-reload-w2to1-reuseport-ws-c400 / handshakes done from 0.3 s after the planned `nginx -s reload` to the end (new worker 0 on the inherited socket 0; socket 1 queue reset)':
    { real: 339, predicted: 56.8, cause: CAUSE15_INPUT },
  'nginx-holdout15-reload-w2to1-reuseport-ws-c400 / WebSocket upgrades answered 101 (twin: sessions at 5.99 s)': {
    real: 355,
    predicted: 275.8,
    cause: CAUSE15_INPUT,
  },
  'nginx-holdout15-quit-w1-ws-c400 / handshakes done by the planned `nginx -s quit`': {
    real: 42,
    predicted: 58,
    cause: CAUSE15_QUIT_CPU,
  },
  "nginx-holdout15b-reload-w2to1-reuseport-c600 / connections reset in the accept queue (client: ECONNRESET before its handshake; twin: nginx.accept_queue_reset) (old worker 1's socket, dropped by the reload, closed at the old workers' QUIT)":
    { real: 271, predicted: 192.6, cause: CAUSE15B_CPU },
  'nginx-holdout15b-reload-w2to1-reuseport-c600 / first reset, s after the planned `nginx -s reload`': {
    real: 0.17133900000000002,
    predicted: 0.10320000000000862,
    cause: CAUSE15B_CPU,
  },
  'nginx-holdout15b-reload-w2to1-reuseport-c600 / handshakes done by the planned `nginx -s reload` (two workers on the 2 cores the client shares)':
    { real: 14, predicted: 150, cause: CAUSE15B_CPU },
  'nginx-holdout15b-reload-w2to1-reuseport-c600 / handshakes done from 0.3 s after the planned `nginx -s reload` to the end (new worker 0 on the inherited socket 0; socket 1 queue reset)':
    { real: 296, predicted: 133.6, cause: CAUSE15B_CPU },
  'nginx-holdout15b-reload-w2to1-reuseport-c600 / handshakes done by the end (twin: sessions at 5.99 s)': {
    real: 329,
    predicted: 407.4,
    cause: CAUSE15B_CPU,
  },
  'nginx-holdout15b-reload-w2to1-reuseport-ws-c400 / connections reset in the accept queue (client: ECONNRESET before its handshake; twin: nginx.accept_queue_reset) (the WebSocket clients whose upgrade waits on the dropped socket 1)':
    { real: 178, predicted: 122.2, cause: CAUSE15B_CPU },
  'nginx-holdout15b-reload-w2to1-reuseport-ws-c400 / first reset, s after the planned `nginx -s reload`': {
    real: 0.237584,
    predicted: 0.10162000000000626,
    cause: CAUSE15B_CPU,
  },
  'nginx-holdout15b-reload-w2to1-reuseport-ws-c400 / handshakes done by the planned `nginx -s reload` (two workers on the 2 cores the client shares)':
    { real: 5, predicted: 90, cause: CAUSE15B_CPU },
  'nginx-holdout15b-reload-w2to1-reuseport-ws-c400 / handshakes done from 0.3 s after the planned `nginx -s reload` to the end (new worker 0 on the inherited socket 0; socket 1 queue reset)':
    { real: 187, predicted: 52.8, cause: CAUSE15B_CPU },
  'nginx-holdout15b-reload-w2to1-reuseport-ws-c400 / WebSocket upgrades answered 101 (twin: sessions at 5.99 s)': {
    real: 222,
    predicted: 277.8,
    cause: CAUSE15B_CPU,
  },
  "nginx-holdout15c-reload-w2to1-reuseport-c600 / connections reset in the accept queue (client: ECONNRESET before its handshake; twin: nginx.accept_queue_reset) (old worker 1's socket, dropped by the reload, closed at the old workers' QUIT)":
    { real: 269, predicted: 192.6, cause: CAUSE15C_CPU },
  'nginx-holdout15c-reload-w2to1-reuseport-c600 / handshakes done by the planned `nginx -s reload` (two workers on the 2 cores the client shares)':
    { real: 69, predicted: 150, cause: CAUSE15C_CPU },
  'nginx-holdout15c-reload-w2to1-reuseport-c600 / handshakes done from 0.3 s after the planned `nginx -s reload` to the end (new worker 0 on the inherited socket 0; socket 1 queue reset)':
    { real: 166, predicted: 133.6, cause: CAUSE15C_CPU },
  'nginx-holdout15c-reload-w2to1-reuseport-c600 / handshakes done by the end (twin: sessions at 5.99 s)': {
    real: 331,
    predicted: 407.4,
    cause: CAUSE15C_CPU,
  },
  'nginx-holdout15c-reload-w2to1-reuseport-ws-c400 / connections reset in the accept queue (client: ECONNRESET before its handshake; twin: nginx.accept_queue_reset) (the WebSocket clients whose upgrade waits on the dropped socket 1)':
    { real: 182, predicted: 119.4, cause: CAUSE15C_CPU },
  'nginx-holdout15c-reload-w2to1-reuseport-ws-c400 / handshakes done by the planned `nginx -s reload` (two workers on the 2 cores the client shares)':
    { real: 13, predicted: 92, cause: CAUSE15C_CPU },
  'nginx-holdout15c-reload-w2to1-reuseport-ws-c400 / handshakes done from 0.3 s after the planned `nginx -s reload` to the end (new worker 0 on the inherited socket 0; socket 1 queue reset)':
    { real: 144, predicted: 48.4, cause: CAUSE15C_CPU },
  'nginx-holdout15c-reload-w2to1-reuseport-ws-c400 / WebSocket upgrades answered 101 (twin: sessions at 5.99 s)': {
    real: 218,
    predicted: 280.6,
    cause: CAUSE15C_CPU,
  },
};

/** The rows whose 0 vs 0 IS the rule tested: kept as mechanism rows (markZeros). */
const MECHANISM_ZEROS15: Record<string, string> = {
  'nginx-holdout15-quit-w1-ws-c400 / handshakes done from 0.3 s after the planned `nginx -s quit` to the end (none: the queue was reset, the QUITted worker upgrades only what it held)':
    '5681843: the queue is reset at the QUIT, nothing is left to handshake (the old model: 254, the QUITted worker upgrading its queue)',
};

/** The recording of every run: `<run>-rt` (the recorder under --rt 10). */
const RUNS = Object.values(BATCHES).flatMap((b) => Object.keys(b.figures));
const recordings = (): Array<[string, SourceStamped]> => recordingsOf<SourceStamped>(RUNS);

/** The grid key of a run's recording: its serial phase's handshake_cpu, nearest grid value. */
const keyOfRecording = (run: string): string | null => {
  const d = readRecording<NginxRec15>(`${run}-rt`);
  return d ? handshakeKey(measuredHandshakeMs(d)) : null;
};

/** Every row whose recording exists, against the blind prediction at its recording's handshake_cpu. */
function rows15(): HeldOutRow[] {
  const flat: FlatPredictions = {};
  for (const run of RUNS) {
    const key = keyOfRecording(run);
    if (key === null || !existsSync(batchOf(run).predictions)) continue;
    flat[run] = readPredictions<Predictions>(batchOf(run).predictions).nginx[run][key];
  }
  const sets = Object.assign({}, ...Object.values(BATCHES).map((b) => b.figures)) as typeof NGINX15;
  const withPrediction = Object.fromEntries(Object.entries(sets).filter(([run]) => run in flat));
  return flatRows(withPrediction, flat).map(markZeros(MECHANISM_ZEROS15));
}

/** The old model's figure of a row (its rule's commit's parent, at the recording's handshake_cpu), for the table. */
function oldModelOf(r: HeldOutRow): string {
  const run = runOf(r);
  const file = batchOf(run).oldModel;
  if (!existsSync(file)) return '';
  const old = JSON.parse(readFileSync(file, 'utf8')) as Record<string, GridPredictions>;
  const commit = RULES15[run];
  const x = old[commit]?.[run]?.[keyOfRecording(run) ?? '']?.[r.figure];
  return x === undefined ? '' : `${show(x)} (${commit}^)`;
}

/** Compared once every run of every batch is recorded (each batch is recorded after its blind commit). */
const recorded = writing.some(Boolean) || !existsSync(PREDICTIONS) || recordings().length < RUNS.length ? [] : rows15();
describe.skipIf(recorded.length === 0)('held-out round 15: the recordings against the blind predictions', () => {
  const rows = recorded;
  afterAll(() => {
    if (!process.env.DRAINSIM_CALIBRATION_TABLE) return;
    const lines = rows.map((r) => `${tableLine(r, GAPS15)} ${oldModelOf(r)} |`);
    for (const run of RUNS) {
      const d = readRecording<NginxRec15>(`${run}-rt`);
      if (d) process.stdout.write(`${run}: handshake_cpu ${measuredHandshakeMs(d)} ms (grid ${keyOfRecording(run)})\n`);
    }
    process.stdout.write(
      `${TABLE_HEAD.replace('| |\n', '| | old model |\n').replace('|---|\n', '|---|---:|\n')}${lines.join('\n')}\n\n` +
        `${countsText(rows)} (blind)\n`,
    );
  });

  it('every run of the round is recorded', () => {
    for (const [id, b] of Object.entries(BATCHES)) expect(b.blind, `set batch ${id}'s blind commit`).not.toBeNull();
    expect([...new Set(rows.map(runOf))].sort()).toEqual([...RUNS].sort());
  });

  it('the old model was written at the blind commits too', () => {
    for (const b of Object.values(BATCHES)) expect(existsSync(b.oldModel), b.oldModel).toBe(true);
    for (const r of rows) expect(keyOf(r) && oldModelOf(r), keyOf(r)).not.toBe('');
  });
  blindRoundTests(rows, {
    batches: Object.values(BATCHES),
    digest: DEFINITIONS15,
    gaps: GAPS15,
    gapsName: 'GAPS15',
  });
});

/** A round-15 recording's ss samples and workers (calibration/nginx/holdout15.mjs listenQueues, workerWatch). */
interface QueueRec15 extends NginxRec15 {
  queues: Array<{ s: number; socks: Array<{ recvQ: number; pids: number[] }> | null }>;
  workers: Array<{ pid: number; firstS: number }>;
}

/**
 * The dropped socket's accept queue at the last ss sample before the old workers closed it: after the reload the
 * master has closed its copy, so it is the socket the new worker does not hold (ngx_init_cycle gave the new
 * worker old worker 0's).
 */
function droppedQueueAtClose(d: QueueRec15): number | null {
  const fresh = new Set(d.workers.filter((w) => w.firstS > 0).map((w) => w.pid));
  let last: number | null = null;
  for (const q of d.queues) {
    const socks = q.socks ?? [];
    if (socks.length !== 2 || !socks.some((x) => x.pids.some((p) => fresh.has(p)))) continue;
    const dropped = socks.find((x) => !x.pids.some((p) => fresh.has(p)));
    if (dropped) last = dropped.recvQ;
  }
  return last;
}

/**
 * Not a blind row: the recordings against themselves. In every reload run whose harness sampled through the
 * reload (batches 15B and 15C; batch 15's sampler waited on `nginx -s reload`), the connections reset are the
 * dropped socket's queue at its last sample before the close, as 6fd3eab models (inet_csk_listen_stop resets
 * the whole queue, tcp_migrate_req 0 moves none): 271 / 271, 178 / 178, 269 / 269, 182 / 183 (one handshaken
 * in the old workers' last pass).
 */
describe("round 15's reload recordings: the connections reset are the dropped socket's queue at its close (ss)", () => {
  const runs = [...Object.keys(NGINX15B), ...Object.keys(NGINX15C)];
  it.each(runs)('%s', (run) => {
    const d = readRecording<QueueRec15>(`${run}-rt`);
    if (!d) return;
    const queued = droppedQueueAtClose(d);
    const reset = d.storm.filter((c) => c.tls === null && c.err === 'ECONNRESET').length;
    expect(queued, run).not.toBeNull();
    expect(reset).toBeLessThanOrEqual(queued as number);
    expect(reset).toBeGreaterThanOrEqual((queued as number) - 2);
  });
});
