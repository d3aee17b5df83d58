#!/usr/bin/env node
// Held-out run, round 24 (session 30, hold24): gunicorn29 fcad6c96's rule for
// `app.sigterm_keepalive: gunicorn-23` and 6787f906's arbiter SIGKILL at graceful_timeout, on the
// gunicorn versions no recording had checked. The rule (gunicorn 20.1-23.x workers/gthread.py
// ThreadWorker.run()): `while self.alive` ends at the poller's next return from select(1.0) after
// SIGTERM (here the next connect), then `self.tpool.shutdown(False); self.poller.close(); for s in
// self.sockets: s.close()` (later connects refused) and `futures.wait(self.futures,
// timeout=self.cfg.graceful_timeout)` for the requests in hand. Round 23 recorded Debian's 20.1.0
// (and 24.0.0); this round records the tags 21.2.0, 22.0.0 and 23.0.0 of benoitc/gunicorn (their
// gunicorn/ package, pure Python, run with Debian's python3 3.11 and python3-packaging:
// PYTHONPATH=<dir> python3 -m gunicorn), each tree made with
// `git -C <mirror of benoitc/gunicorn> archive <tag> gunicorn | tar -x -C /tmp/gunicorn-<tag>`.
// Run gt1-v23 is 23.0.0 with --graceful-timeout 1: the arbiter (arbiter.py Arbiter.stop():
// `while self.WORKERS and time.time() < limit: time.sleep(0.1)`, then kill_workers(SIGKILL))
// SIGKILLs the worker 1 s after the SIGTERM, with requests in hand.
//
// Each run, in its own netns (lib/netns.mjs; deleted at the end): one bare gunicorn
// `-k gthread -w 1 --threads 32 --graceful-timeout 10 (gt1: 1) --backlog 2048 --keep-alive 2`, WSGI
// app app.py (sleeps 2.0 s, answers 200 "ok"); client.mjs (round 23's) opens a new connection every
// 100 ms from t0 (80 of them, one GET each with Connection: close), sends SIGTERM to the arbiter at
// 3.05 s and records each connection's outcome and time, and the worker's and arbiter's exits. 8 s
// of load, bounded: 80 connections, loopback only. Twins calibration/scenarios/<run>.yaml,
// predictions calibration/data/holdout24-predictions.json (and the old models') committed before
// anything was recorded; the comparison is test/calibration/holdout24.test.ts.
//
//   flock /work/wt/calib.lock node calibration/gunicorn/holdout24.mjs [--only v21|v22|v23|gt1-v23] [--trees /tmp] [--rt 10]
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gunicornArgs, gunicornVersion, recordRuns, scheduleRecorder } from './record-sigterm-run.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    trees: { type: 'string', default: '/tmp' },
    rt: { type: 'string' },
    out: { type: 'string', default: join(here, '..', 'data') },
  },
});

const rt = scheduleRecorder(values.rt, 'holdout24');

/** One run per tag: its tree (`git archive <tag> gunicorn`) on PYTHONPATH, Debian's python3. */
const tagRun = (name, tag, gracefulTimeout, what) => {
  const dir = join(values.trees, `gunicorn-${tag}`);
  return {
    name,
    what,
    argv: () => ['env', `PYTHONPATH=${dir}`, '/usr/bin/python3', '-m', 'gunicorn', ...gunicornArgs(gracefulTimeout)],
    version: () => gunicornVersion(dir),
    needs: () => existsSync(join(dir, 'gunicorn', 'workers', 'gthread.py')) || `no ${dir}/gunicorn`,
    tag,
  };
};

const RUNS = [
  tagRun('gunicorn-holdout24-gthread-sigterm-v21', '21.2.0', 10, 'gunicorn 21.2.0 (the benoitc/gunicorn tag)'),
  tagRun('gunicorn-holdout24-gthread-sigterm-v22', '22.0.0', 10, 'gunicorn 22.0.0 (the benoitc/gunicorn tag)'),
  tagRun('gunicorn-holdout24-gthread-sigterm-v23', '23.0.0', 10, 'gunicorn 23.0.0 (the benoitc/gunicorn tag)'),
  tagRun(
    'gunicorn-holdout24-gthread-sigterm-gt1-v23',
    '23.0.0',
    1,
    'gunicorn 23.0.0 (the benoitc/gunicorn tag) with --graceful-timeout 1',
  ),
];

await recordRuns(RUNS, { only: values.only, recorder: 'holdout24', nsTag: 'g24', rt, outDir: values.out });
