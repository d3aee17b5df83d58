#!/usr/bin/env node
// Held-out round 30 (session 35, hold30), gunicorn's worker timeout (guni34 7a59fb99,
// app.worker_timeout) with parameters no recording has used: `--timeout 2`, a mix of 1-s and 5-s
// requests. The arbiter kills a worker silent for more than `--timeout` seconds (arbiter.py
// Arbiter.murder_workers(): SIGABRT once `time.time() - worker.tmp.last_update() > self.timeout`,
// checked once per loop of the arbiter, which sleeps at most 1 s: Arbiter.sleep() select(…, 1.0))
// and replaces it (reap_workers → manage_workers → spawn_worker, then `time.sleep(0.1 *
// random.random())`). A sync worker notifies only before each accept (workers/sync.py
// run_for_one), so a 5-s request is cut — the SIGABRT handler (workers/base.py handle_abort:
// sys.exit(1)) unwinds through SyncWorker.handle's `finally: util.close(client)`, a FIN with no
// answer — and 1-s requests, each after its own notify, never are, however long the worker stays
// busy with one after another.
//
// Each run in its own netns (lib/netns.mjs; deleted at the end): Debian's /usr/bin/gunicorn
// `-k sync -w <workers> --timeout 2`, WSGI app holdout30_app.py (/slow sleeps 5 s, /fast 1 s);
// holdout30-client.mjs opens each connection of the plan at its time (one GET each, Connection:
// close) and records each outcome and time and the worker pid changes. 20 s at most, loopback only.
//
//   flock /work/wt/calib.lock node calibration/gunicorn/holdout30.mjs --rt 10 [--only <run suffix>]
// (`--smoke`: a small run of its own instead, written to the system's temporary directory.)
// Writes calibration/data/<run>-rt.json; compared by test/calibration/holdout30.test.ts.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  cleanupAll,
  createNamespace,
  deleteNamespace,
  namespaceSupport,
  spawnInNamespace,
  stopChild,
} from '../lib/netns.mjs';
import { sourceCommit } from '../lib/source-commit.mjs';
import { gunicornVersion, PORT, scheduleRecorder } from './record-sigterm-run.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** The round's gunicorn runs: sync workers, --timeout, and the plan (ms from t0, path) of the connections. */
export const HOLDOUT30_GUNICORN_RUNS = [
  {
    name: 'gunicorn-holdout30-sync-w2-t2-slow2-fast3',
    workers: 2,
    timeoutS: 2,
    plan: [
      [0, 'slow'],
      [500, 'slow'],
      [1000, 'fast'],
      [1500, 'fast'],
      [2000, 'fast'],
    ],
    endMs: 20000,
  },
  {
    name: 'gunicorn-holdout30-sync-w1-t2-fast2-slow-fast',
    workers: 1,
    timeoutS: 2,
    plan: [
      [0, 'fast'],
      [1, 'fast'],
      [2, 'slow'],
      [3, 'fast'],
    ],
    endMs: 20000,
  },
];

/** The harness's smoke test (`--smoke`, written to the system's temporary directory): not a round-30 run. */
const SMOKE = {
  name: 'gunicorn-holdout30-smoke',
  workers: 1,
  timeoutS: 30,
  plan: [
    [0, 'fast'],
    [100, 'fast'],
  ],
  endMs: 5000,
};

const argvOf = (run) => [
  '/usr/bin/gunicorn',
  '-k',
  'sync',
  '-w',
  String(run.workers),
  '--timeout',
  String(run.timeoutS),
  '-b',
  `127.0.0.1:${PORT}`,
  '--chdir',
  here,
  '--log-level',
  'debug',
  'holdout30_app:app',
];

async function record(run, rt, outDir = join(here, '..', 'data')) {
  const ns = createNamespace('gh30');
  const startedAt = new Date().toISOString();
  const load = loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  const argv = argvOf(run);
  const gunicorn = spawnInNamespace(ns, argv);
  const log = [];
  const lineOf = (chunk) => {
    for (const l of chunk.toString().split('\n')) if (l.trim() !== '') log.push(l);
  };
  gunicorn.stdout.on('data', lineOf);
  gunicorn.stderr.on('data', lineOf);
  const client = spawnInNamespace(ns, [
    process.execPath,
    join(here, 'holdout30-client.mjs'),
    String(PORT),
    String(gunicorn.pid),
    run.plan.map(([ms, path]) => `${ms}:${path}`).join(','),
    String(run.endMs),
  ]);
  let out = '';
  client.stdout.on('data', (b) => {
    out += b.toString();
  });
  let clientErr = '';
  client.stderr.on('data', (b) => {
    clientErr += b.toString();
  });
  const code = await new Promise((res) => client.on('exit', (c) => res(c)));
  stopChild(gunicorn);
  await new Promise((r) => setTimeout(r, 300));
  deleteNamespace(ns);
  if (code !== 0) {
    console.error(`holdout30: ${run.name}: client exited ${code}: ${out} ${clientErr}`);
    cleanupAll();
    process.exit(1);
  }
  const result = JSON.parse(out);
  const data = {
    stamp: {
      experiment: run.name,
      what: `Debian 12's gunicorn (/usr/bin/gunicorn), ${run.workers} sync worker(s), --timeout ${run.timeoutS}, /slow sleeping 5 s and /fast 1 s`,
      gunicornVersion: gunicornVersion(),
      startedAt,
      loadavgAtStart: load,
      scheduling: rt !== null ? `SCHED_FIFO ${rt}` : 'default',
      kernel: execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim(),
      sourceCommit: sourceCommit(),
      argv,
      run,
    },
    ...result,
    gunicornLog: log,
  };
  const file = join(outDir, `${run.name}${rt !== null ? '-rt' : ''}.json`);
  writeFileSync(file, `${JSON.stringify(data, null, 1)}\n`);
  console.log(
    `${run.name}: ${JSON.stringify(result.conns.map((c) => [c.path, c.outcome, c.endS]))} workers ${JSON.stringify(result.workers)} → ${file}`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { rt: { type: 'string' }, only: { type: 'string' }, smoke: { type: 'boolean' } },
  });
  const support = namespaceSupport();
  if (!support.ok) {
    console.error(`holdout30: ${support.reason}`);
    process.exit(2);
  }
  const rt = scheduleRecorder(values.rt, 'holdout30');
  if (values.smoke) await record(SMOKE, rt, tmpdir());
  else
    for (const run of HOLDOUT30_GUNICORN_RUNS.filter((r) => values.only === undefined || r.name.includes(values.only)))
      await record(run, rt);
  cleanupAll();
}
