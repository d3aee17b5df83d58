#!/usr/bin/env node
// Held-out run, round 23 (session 29, hold23): app28 538d8a1c / fin28 3444c24d's rule for
// `app.sigterm_keepalive: gunicorn`. The model (gunicorn 24.0-26.1, workers/gthread.py run()):
// after SIGTERM the gthread worker only unregisters its listener from the poller
// (set_accept_enabled(False)), loops `while self.nr_conns > 0` up to graceful_timeout and closes
// its listening sockets on its way out — the kernel keeps completing connects into the
// unattended backlog (the client's connect succeeds) and the listener's last close resets each
// (inet_csk_listen_stop → inet_child_forget: ECONNRESET); it exits once it holds no accepted
// connection. Debian 12's gunicorn is 20.1.0, whose gthread run() differs: `while self.alive`
// ends at the first poller wake-up after SIGTERM (≤ 1 s: poller.select(1.0), or the next
// connect), then it closes its listening sockets at once and waits for the requests in hand
// (futures.wait(self.futures, timeout=graceful_timeout)) — connects refused from then on. The
// round records both: `v20` is Debian's /usr/bin/gunicorn (python3-gunicorn 20.1.0), `v24` the
// 24.0.0 tag of benoitc/gunicorn (its gunicorn/ package, pure Python, run with Debian's python3
// and python3-packaging: PYTHONPATH=<dir> python3 -m gunicorn) — a tree made with
// `git -C <mirror of benoitc/gunicorn> archive 24.0.0 gunicorn | tar -x -C <dir>`.
//
// Each run, in its own netns (lib/netns.mjs; deleted at the end): one bare gunicorn
// `-k gthread -w 1 --threads 32 --graceful-timeout 10 --backlog 2048 --keep-alive 2`, WSGI app
// app.py (sleeps 2.0 s, answers 200 "ok"); client.mjs opens a new connection every 100 ms from
// t0 (80 of them, one GET each with Connection: close), sends SIGTERM to the arbiter at 3.05 s and
// records each connection's outcome and time, and the worker's and arbiter's exits. 8 s of load,
// bounded: 80 connections, loopback only. Twin calibration/scenarios/gunicorn-holdout23-gthread-sigterm.yaml,
// predictions calibration/data/holdout23-predictions.json (and the old models') committed before
// anything was recorded; the comparison is test/calibration/holdout23.test.ts.
//
//   flock /work/wt/calib.lock node calibration/gunicorn/holdout23.mjs [--only v20|v24] [--gunicorn24 <dir>] [--rt 10]
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gunicornArgs, gunicornVersion, recordRuns, scheduleRecorder } from './record-sigterm-run.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    gunicorn24: { type: 'string', default: '/tmp/gunicorn-24.0.0' },
    rt: { type: 'string' },
    out: { type: 'string', default: join(here, '..', 'data') },
  },
});

const rt = scheduleRecorder(values.rt, 'holdout23');

const RUNS = [
  {
    name: 'gunicorn-holdout23-gthread-sigterm-v20',
    what: "Debian 12's gunicorn 20.1.0 (/usr/bin/gunicorn)",
    argv: () => ['/usr/bin/gunicorn', ...gunicornArgs(10)],
    version: () => gunicornVersion(),
  },
  {
    name: 'gunicorn-holdout23-gthread-sigterm-v24',
    what: 'gunicorn 24.0.0 (the benoitc/gunicorn tag, its gunicorn/ package on PYTHONPATH)',
    argv: () => ['env', `PYTHONPATH=${values.gunicorn24}`, '/usr/bin/python3', '-m', 'gunicorn', ...gunicornArgs(10)],
    version: () => gunicornVersion(values.gunicorn24),
    needs: () =>
      existsSync(join(values.gunicorn24, 'gunicorn', 'workers', 'gthread.py')) || `no ${values.gunicorn24}/gunicorn`,
  },
];

await recordRuns(RUNS, { only: values.only, recorder: 'holdout23', nsTag: 'g23', rt, outDir: values.out });
