// Held-out nginx experiments, round 10 (session 21, hold10): nginx 1.22.1's client_header_timeout
// — how long an accepted connection may wait for its first request — which no recording had, and
// what a reload does to such waiting connections. The clients replace a connection nginx closed
// while they thought at once and the new one waits for the planned request (client.mjs keepDue:
// drainsim's clients.http.reconnect eager), so nginx holds connections with no request yet. Each
// twin (calibration/scenarios/nginx-holdout10-*.yaml) and its prediction
// (calibration/data/holdout10-predictions.json) were committed before the run was recorded; the
// comparison is test/calibration/holdout10.test.ts. ≤ 20 s each.
import { generations } from './experiments.mjs';

const count = (xs, key) =>
  xs.reduce((m, x) => {
    m[key(x)] = (m[key(x)] ?? 0) + 1;
    return m;
  }, {});

/** What the figures of round 10 read, summed up for a reader of the data file. */
function summarise(data) {
  const reqs = data.clientEvents.filter((e) => e.ev === 'req');
  const closes = data.clientEvents.filter((e) => e.ev === 'conn-close');
  return {
    requests: reqs.length,
    outcomes: count(reqs, (e) => `${e.out}${e.conn?.toLowerCase() === 'close' ? '+Connection:close' : ''}`),
    closesByNginx: closes.filter((e) => e.how === 'eof').length,
    closes: count(closes, (e) => `${e.idle ? 'idle' : 'busy'}.${e.how}`),
    signals: data.actions,
    generations: generations(data),
  };
}

/**
 * `conns` keep-alive connections opened `staggerMs` apart from 50 ms (off the whole seconds the
 * figures count in), each a closed loop (GET /, think `thinkMs`) until `stopMs`, under keepalive_timeout 2s:
 * 2 s after each answer nginx closes the idle connection (ngx_http_set_keepalive) and the client
 * opens a new one at once, which waits for the rest of the think time — unless
 * client_header_timeout closes it first (ngx_http_init_connection arms it,
 * ngx_http_wait_request_handler closes: FIN), and the next one waits again.
 */
function waitingClients({
  name,
  description,
  chtS,
  thinkMs,
  stopMs,
  seconds,
  conns = 20,
  staggerMs = 200,
  actions = [],
}) {
  return {
    name,
    description,
    seconds,
    nginx: { keepaliveTimeout: '2s', clientHeaderTimeout: `${Math.round(chtS * 1000)}ms` }, // nginx times take no decimals
    client: {
      endMs: (seconds - 1) * 1000,
      groups: [
        {
          kind: 'loop',
          group: 'wait',
          conns,
          thinkMs,
          path: '/',
          startMs: 50,
          staggerMs,
          stopMs,
          keepDue: true,
        },
      ],
    },
    actions,
    summarise,
  };
}

/**
 * 20 clients 200 ms apart thinking 4.5 s under keepalive_timeout 2s and client_header_timeout
 * `chtS` s: how many connections nginx closes before each request.
 */
const closesBeforeEachRequest = (name, chtS) =>
  waitingClients({
    name,
    description:
      `keepalive_timeout 2s, client_header_timeout ${chtS}s: 20 keep-alive clients thinking 4.5 s that replace a closed ` +
      'connection at once and wait on the new one (keepDue): how many connections nginx closes before each request.',
    chtS,
    thinkMs: 4500,
    stopMs: 17_800,
    seconds: 20,
  });

/**
 * `nginx -s reload` at 7.12 s over 18 clients 250 ms apart thinking 4.5 s, client_header_timeout
 * `chtS` s: which connections the QUIT closes, which keep the old worker and until when.
 */
const reloadWithWaiting = (name, chtS) =>
  waitingClients({
    name,
    description:
      `keepalive_timeout 2s, client_header_timeout ${chtS}s, 18 keep-alive clients thinking 4.5 s that replace a closed ` +
      'connection at once and wait on the new one (keepDue); nginx -s reload at 7.12 s: which connections the QUIT ' +
      'closes, which keep the old worker and until when.',
    chtS,
    thinkMs: 4500,
    stopMs: 13_450,
    seconds: 16,
    conns: 18,
    staggerMs: 250,
    actions: [{ atMs: 7120, signal: 'reload' }],
  });

export const HOLDOUT10_EXPERIMENTS = [
  // client_header_timeout 1s, think 4.5 s: the keepalive close at 2 s after an answer, the next
  // connection closed at 3 s, the next at 4 s, the request at 4.5 s on the fourth: three closes a
  // cycle (0.5 s off each tie). Requests at 0.05 + 0.2 c + 4.5 k s, k = 0…3 (stopMs 17.8 s).
  closesBeforeEachRequest('nginx-holdout10-cht1-ka2-think4500', 1),
  // client_header_timeout 2.3s: the replacement opened at 2 s is closed at 4.3 s, the next one
  // carries the request at 4.5 s: two closes a cycle (0.2 s off the tie).
  closesBeforeEachRequest('nginx-holdout10-cht2300ms-ka2-think4500', 2.3),
  // nginx -s reload at 7.12 s (the old worker's QUIT ≈ 100 ms later, ngx_master_process_cycle's
  // ngx_msleep(100) after the new worker starts; round 7 recorded it 109 ms after its reload), 18
  // clients 250 ms apart thinking 4.5 s: every answer, keepalive close and request falls on
  // 0.05 + 0.25 m s, none between the reload and the QUIT (7.05 s before, 7.30 s after).
  // client_header_timeout 10s never fires. The QUIT closes only idle keep-alive connections (ngx_close_idle_connections: c->idle, set by
  // ngx_http_set_keepalive alone); one waiting for its first request keeps the old worker (its read
  // timer is not cancelable: ngx_event_no_timers_left) until the request comes, answered with
  // `Connection: close` (ngx_http_header_filter: ngx_exiting clears r->keepalive). Requests at
  // 0.05 + 0.25 c + 4.5 k s, k = 0…2 (stopMs 13.45 s: the last at 13.3 s, a fourth at 13.55 s).
  reloadWithWaiting('nginx-holdout10-reload-waiting-cht10', 10),
  // The same reload with client_header_timeout 1.5s: a connection opened 2 s after its answer is
  // closed at 3.5 s, the next carries the request at 4.5 s; at the QUIT the old worker keeps both
  // kinds, until the timer or the request (both on the 0.25-s grid).
  reloadWithWaiting('nginx-holdout10-reload-waiting-cht1500ms', 1.5),
];
