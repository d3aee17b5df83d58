// Held-out nginx run, round 26 (session 32, hold26), third batch: lbfix31 e5d58670's rule, how nginx
// closes its upstream connection when the client gives up (499). nginx 1.22.1
// src/http/ngx_http_upstream.c ngx_http_upstream_check_broken_connection() reads the client's FIN
// ("client prematurely closed connection, so upstream connection is closed too") and
// ngx_http_upstream_finalize_request() → ngx_close_connection(): a plain close() with nothing unread,
// a FIN. nginx's end waits in FIN_WAIT2 (an orphan: tcp_fin_timeout), the app's in CLOSE_WAIT, until
// the app's late answer meets the orphan and draws an RST (no TIME_WAIT). The model before e5d58670:
// both ends freed at the 499, as by an RST.
//
// One worker, `location /` (no upstream keepalive: a connection per request). The app
// (holdout26-backend.mjs) reads a request and answers 5 s later, not watching its connection
// meanwhile (allowHalfOpen: nginx's FIN does not close its side). Ten clients, one connection and one
// GET /slow?ms=5000 each, 100 ms apart from 0.2 s; each gives up 1 s after sending (client.mjs
// giveUpMs: it closes its socket, a FIN): nginx logs 499 at 1.2-2.1 s; the app writes its answers at
// 5.2-6.1 s. `ss` every second (experiment.mjs ssCounts: FIN-WAIT, CLOSE-WAIT, TIME-WAIT by end).
// Twin calibration/scenarios/nginx-holdout26c-499-upstream-fin-wait2.yaml, predictions
// calibration/data/holdout26c-predictions.json (and the old model's) committed before the run was
// recorded; the comparison is test/calibration/holdout26.test.ts.
//
//   flock /work/wt/calib.lock node calibration/nginx/run.mjs --only nginx-holdout26c --rt 10
import { fileURLToPath } from 'node:url';

const BACKEND = fileURLToPath(new URL('./holdout26-backend.mjs', import.meta.url));

const giveUpRun = {
  name: 'nginx-holdout26c-499-upstream-fin-wait2',
  description:
    'worker_processes 1, location / (no upstream keepalive): 10 clients, one GET /slow?ms=5000 each, 100 ms apart ' +
    'from 0.2 s, each giving up (closing, FIN) 1 s after sending; the app answers 5 s after reading, not watching ' +
    'its connection: nginx’s upstream ends (FIN-WAIT-2) and the app’s (CLOSE-WAIT) after the 499s, and after the ' +
    'late answers.',
  seconds: 10,
  backend: BACKEND,
  nginx: { workers: 1 },
  client: {
    endMs: 9500,
    groups: [
      {
        kind: 'loop',
        group: 'give-up',
        conns: 10,
        thinkMs: null,
        path: '/slow?ms=5000',
        startMs: 200,
        staggerMs: 100,
        stopMs: 9000,
        giveUpMs: 1000,
      },
    ],
  },
  summarise: (data) => {
    const tally = (xs, key) => {
      const out = {};
      for (const e of xs) out[key(e)] = (out[key(e)] ?? 0) + 1;
      return out;
    };
    return {
      requests: tally(
        data.clientEvents.filter((e) => e.ev === 'req'),
        (e) => (e.out === 'ok' ? String(e.status) : e.out),
      ),
      backend: tally(data.backendEvents, (e) => (e.ev === 'up-error' ? `up-error ${e.code}` : e.ev)),
      sockets: data.sockets.map((x) => [x.s, x.finWait, x.closeWait, x.timeWaitUpstreamNginx, x.timeWaitUpstreamApp]),
      statuses: Object.values(data.accessLogSummary ?? {}).map((p) => p.statuses),
      scheduling: data.stamp.scheduling?.requested ?? 'default',
    };
  },
};

export const HOLDOUT26C_EXPERIMENTS = [giveUpRun];
