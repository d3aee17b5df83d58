// Held-out nginx run, round 25 (session 31, hold25): accept29 250ceddf's rule, how nginx's close of
// a connection it cannot take reaches the client. nginx 1.22.1 src/event/ngx_event_accept.c
// ngx_event_accept(): accept4(), then ngx_get_connection() NULL ("worker_connections are not
// enough") → ngx_close_socket() at once. Linux net/ipv4/tcp.c __tcp_close() sends RST only with
// data unread (data_was_unread → tcp_send_active_reset()), else a FIN; the client's request,
// arriving after that FIN at the orphaned socket, meets RST (net/ipv4/tcp_input.c
// tcp_rcv_state_process(), FIN_WAIT1/2 with RCV_SHUTDOWN and new data: TCPABORTONDATA). A worker
// idle in epoll_wait accepts on the handshake's last ACK and closes before the client's request is
// in: the client reads EOF (then the RST). The model before 250ceddf: an RST always (the client
// reads ECONNRESET).
//
// One worker, `worker_connections 10`: its listening socket and channel take 2, each request in
// flight 2 (client and upstream connection). Four holders (GET /slow?ms=4000, 5 ms apart from 0 s)
// take the 8 free; twenty probes (one connection, one GET /slow?ms=4000 each, sent at the connect)
// 100 ms apart from 1.0 s meet a full worker, idle (nothing to do but wait for the app): each is
// accepted and closed at once. What each probe reads first: EOF (nginx's FIN) or ECONNRESET (an RST
// with its request unread). Two late probes at 4.5 and 4.7 s, after the holders' answers at ≈ 4 s,
// are taken and answered at ≈ 8.5 / 8.7 s. A failed probe is not retried (client.mjs loop group
// with thinkMs null: one request, not replaced). `ss` every second (experiment.mjs ssCounts).
// Twin calibration/scenarios/nginx-holdout25-wc10-refused-idle.yaml, predictions
// calibration/data/holdout25-predictions.json (and the old model's) committed before the run was
// recorded; the comparison is test/calibration/holdout25.test.ts.
//
//   flock /work/wt/calib.lock node calibration/nginx/run.mjs --only nginx-holdout25 --rt 10

/** One loop group of `conns` single-request connections (thinkMs null: not replaced when closed). */
const singles = (group, conns, startMs, staggerMs) => ({
  kind: 'loop',
  group,
  conns,
  thinkMs: null,
  path: '/slow?ms=4000',
  startMs,
  staggerMs,
  stopMs: 9000,
});

const refusedIdleRun = {
  name: 'nginx-holdout25-wc10-refused-idle',
  description:
    'worker_connections 10, worker_processes 1 (one listening socket): 4 holders GET /slow?ms=4000 (0-15 ms) take the ' +
    '8 free connections; 20 probes (one GET /slow?ms=4000 each, at the connect) 100 ms apart from 1.0 s meet a full, ' +
    'idle worker: EOF (FIN) or ECONNRESET (RST) first; 2 late probes at 4.5 / 4.7 s after the holders’ answers.',
  seconds: 10,
  nginx: { workers: 1, workerConnections: 10 },
  client: {
    endMs: 9500,
    groups: [singles('hold', 4, 0, 5), singles('probe', 20, 1000, 100), singles('late', 2, 4500, 200)],
  },
  summarise: (data) => {
    const reqs = (g) => data.clientEvents.filter((e) => e.ev === 'req' && e.g === g);
    const tally = (xs) => {
      const out = {};
      for (const e of xs) {
        const k = e.out === 'ok' ? String(e.status) : e.out;
        out[k] = (out[k] ?? 0) + 1;
      }
      return out;
    };
    return {
      holders: tally(reqs('hold')),
      probes: tally(reqs('probe')),
      late: tally(reqs('late')),
      upstreamConnects: data.backendEvents.filter((e) => e.ev === 'up-conn').length,
      timeWait: data.sockets.map((x) => [x.s, x.timeWait]),
      errorLog: Object.fromEntries(Object.entries(data.errorLogCounts).filter(([k]) => !k.startsWith('[notice]'))),
      scheduling: data.stamp.scheduling?.requested ?? 'default',
    };
  },
};

export const HOLDOUT25_EXPERIMENTS = [refusedIdleRun];
