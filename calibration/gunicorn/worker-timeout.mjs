#!/usr/bin/env node
// gunicorn's worker timeout (session 34, guni34): the arbiter kills a worker silent for
// `--timeout` seconds (arbiter.py Arbiter.murder_workers(): SIGABRT once
// `time.time() - worker.tmp.last_update() > self.timeout`, checked once per loop of the arbiter,
// which sleeps at most 1 s: Arbiter.sleep() select(…, 1.0)), and replaces it (reap_workers →
// manage_workers → spawn_worker). A sync worker notifies only between requests
// (workers/sync.py run_for_one: `self.notify()` before each accept), so a request longer than the
// timeout is cut: the SIGABRT handler (workers/base.py handle_abort: sys.exit(1)) unwinds through
// SyncWorker.handle's `finally: util.close(client)`, a FIN with no answer.
//
// One run in its own netns (lib/netns.mjs; deleted at the end): Debian's /usr/bin/gunicorn
// `-k sync -w 1 --timeout 3`, WSGI app app.py with SLEEP_S=10 (every request sleeps 10 s);
// timeout-client.mjs connects at 0 s and at 1 s (one GET each, Connection: close) and records
// each outcome and time and the worker pid changes. 15 s at most, two connections, loopback only.
// Twin calibration/scenarios/gunicorn-worker-timeout-sync.yaml, compared by
// test/calibration/gunicorn-worker-timeout.test.ts. `--worker gthread` runs the same load on one
// gthread worker with 2 threads (`-k gthread --threads 2`), which notifies from its main loop
// (workers/gthread.py ThreadWorker.run()) whatever its threads do: both requests answered.
//
//   flock /work/wt/calib.lock node calibration/gunicorn/worker-timeout.mjs [--worker sync|gthread] [--rt 10] [--out DIR]
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cleanupAll, createNamespace, deleteNamespace, namespaceSupport, stopChild } from '../lib/netns.mjs';
import {
  gunicornVersion,
  loadNow,
  PORT,
  recordingStamp,
  runWithClient,
  SERVE_APP,
  scheduleRecorder,
} from './record-sigterm-run.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    worker: { type: 'string', default: 'sync' },
    rt: { type: 'string' },
    out: { type: 'string', default: join(here, '..', 'data') },
  },
});
const WORKERS = { sync: ['-k', 'sync'], gthread: ['-k', 'gthread', '--threads', '2'] };
if (!(values.worker in WORKERS)) {
  console.error(`worker-timeout: --worker sync or gthread, got ${values.worker}`);
  process.exit(2);
}
const NAME = `gunicorn-worker-timeout-${values.worker}`;
const LOAD = { startsMs: [0, 1000], endMs: 15000, sleepS: 10, timeoutS: 3 };
const ARGV = [
  'env',
  `SLEEP_S=${LOAD.sleepS}`,
  '/usr/bin/gunicorn',
  ...WORKERS[values.worker],
  '-w',
  '1',
  '--timeout',
  String(LOAD.timeoutS),
  ...SERVE_APP,
];

const support = namespaceSupport();
if (!support.ok) {
  console.error(`worker-timeout: ${support.reason}`);
  process.exit(2);
}
const rt = scheduleRecorder(values.rt, 'worker-timeout');
const ns = createNamespace('gwt');
const startedAt = new Date().toISOString();
const loadavgAtStart = loadNow();
const { gunicorn, log, code, out, clientErr } = await runWithClient(ns, ARGV, [
  join(here, 'timeout-client.mjs'),
  String(PORT),
  LOAD.startsMs.join(','),
  String(LOAD.endMs),
]);
stopChild(gunicorn);
await new Promise((r) => setTimeout(r, 300));
deleteNamespace(ns);
cleanupAll();
if (code !== 0) {
  console.error(`worker-timeout: client exited ${code}: ${out} ${clientErr}`);
  process.exit(1);
}
const result = JSON.parse(out);
const data = {
  stamp: recordingStamp({
    experiment: NAME,
    what: `Debian 12's gunicorn (/usr/bin/gunicorn), one ${values.worker} worker, --timeout 3, every request sleeping 10 s`,
    gunicornVersion: gunicornVersion(),
    startedAt,
    loadavgAtStart,
    rt,
    argv: ARGV,
    load: LOAD,
  }),
  ...result,
  gunicornLog: log,
};
const file = join(values.out, `${NAME}${rt !== null ? '-rt' : ''}.json`);
writeFileSync(file, `${JSON.stringify(data, null, 1)}\n`);
console.log(`${NAME}: ${JSON.stringify(result.conns)} workers ${JSON.stringify(result.workers)} → ${file}`);
