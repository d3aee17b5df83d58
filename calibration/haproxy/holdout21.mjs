// Held-out HAProxy runs, round 21 (session 27, hold21): two leastconn rules of session 26 that no
// recording had checked, each in a run where the model before it gives other figures.
//
// - 5fbf29b (lc26): HAProxy 2.6's leastconn tree (src/lb_fwlc.c) is an eb32 tree keyed by
//   fwlc_queue_srv()'s (served + queue + 1) x SRV_EWGHT_MAX / eweight, 0 when idle; equal keys sit
//   "in the exact same order they were inserted" (include/import/ebtree.h) and
//   fwlc_get_next_server() takes the first node; fwlc_srv_reposition() re-inserts a server when its
//   key changes. Among idle servers the one idle longest is picked (old model: the next in turn).
//   Run (a): s1 answers in 250 ms, s2 and s3 at once, 10 req/s paced: s2 and s3 are idle at every
//   request; s1 goes idle 50 ms before the third request after its own, queued behind s2 and s3,
//   which went idle after theirs, so the requests go s1, s2, s3, s2, s3, s1, ... (a fifth to s1; the
//   old model, ties in turn: s1, s2, s3, a third).
// - 00004da (lcfix26): a connection retry kept on its server neither drops nor takes its stream
//   (src/stream.c sess_change_server() returns at `oldsrv == newsrv`) and connect_server()'s
//   server_take_conn (src/backend.c) -> fwlc_srv_reposition() returns for an unchanged key: the
//   server keeps its place among its equal-key peers. Run (b): s1 killed (its port closed: every
//   connect refused, retried 3 times on s1 after a 1-s turn-around each, `retries 3`, no
//   redispatch: 503 after 3 s), s2 answers in 1.3 s, s3 in 1.7 s, 1.25 req/s paced: each server
//   holds about one stream, so most picks are ties at key 1, where s1 stays ahead of the servers
//   that took a stream after its own (old model: re-inserted behind them at each retry). `fall 20`
//   keeps s1 UP for the whole run (inter 2 s: DOWN ≈ 40 s after the kill).
//
// Every event is off the others' grid by ≥ 50 ms (a): arrivals every 100 ms, s1's answer 250 ms
// after its request; (b): arrivals every 800 ms, s1's retries 1.0 and 2.0 s and its 503 3.0 s after
// its request (offsets 0.2, 0.4, 0.6 s), s2's answer 1.3 s (0.5), s3's 1.7 s (0.1), the kill at 4.2 s.
// The twins (calibration/scenarios/haproxy-holdout21-*.yaml) and their predictions
// (calibration/data/holdout21-predictions.json, a table over HAProxy's start before t0, `lb.uptime`)
// were committed before the runs were recorded; the comparison is test/calibration/holdout21.test.ts.
//
//   flock /work/wt/calib.lock node calibration/run.mjs --only haproxy-holdout21 --parallel 1 --rt 10
import { heldOut, LOG_CHECKS } from './holdout-common.mjs';

const LEASTCONN = 'balance leastconn';

const tiesSlowS1 = heldOut({
  name: 'haproxy-holdout21-leastconn-ties-slow250-3srv-http',
  description:
    'mode http, 3 servers leastconn, s1 answering in 250 ms, s2 and s3 at once: 10 req/s paced over 6 keep-alive ' +
    'connections: which idle server each request goes to (fwlc tree order: the longest idle first).',
  mode: 'http',
  seconds: 20,
  servers: [{ name: 's1', delayMs: 250 }, { name: 's2' }, { name: 's3' }],
  backendLines: [LEASTCONN, LOG_CHECKS],
  requests: { rate: 10, connections: 6 },
  actions: [],
});

const retryKeepsPlace = heldOut({
  name: 'haproxy-holdout21-leastconn-retry-kill-3srv-http',
  description:
    'mode http, 3 servers leastconn, retries 3, no redispatch, `fall 20`; s2 answering in 1.3 s, s3 in 1.7 s: ' +
    '1.25 req/s paced over 8 keep-alive connections; kill -9 s1 at 4.2 s (still UP: its refused streams retry ' +
    'on it, 503 after 3 s): how many streams the dead s1 takes among equal keys.',
  mode: 'http',
  seconds: 36,
  servers: [{ name: 's1' }, { name: 's2', delayMs: 1300 }, { name: 's3', delayMs: 1700 }],
  serverOptions: 'fall 20',
  backendLines: [LEASTCONN, LOG_CHECKS],
  requests: { rate: 1.25, connections: 8 },
  actions: [{ at: 4.2, op: 'kill', server: 's1' }],
});

export const HOLDOUT21_EXPERIMENTS = [tiesSlowS1, retryKeepsPlace];
