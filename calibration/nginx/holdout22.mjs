// Held-out nginx run, round 22 (session 28, hold22), second batch: 1a3a2042's rule (ws27) that a
// WebSocket upgrade nginx refuses is a client error of the kind the client reads. With its worker's
// connections all taken, nginx 1.22.1 accepts a connection and closes it at once
// (src/event/ngx_event_accept.c ngx_event_accept(): ngx_get_connection() NULL, "worker_connections
// are not enough", ngx_close_socket()): the client's upgrade request unread, the close
// sends an RST, which the client (websockets/ws lib/websocket.js initAsClient(): the socket's
// 'error') reads as ECONNRESET. The model before it (1a3a2042^) counted such a refused upgrade as no
// client error at all. (As recorded, all 4 refusals were client errors, but only the first read an
// RST: nginx accepts at the handshake's end, and the close came before the request 3 times of 4 — a
// FIN, EOF; calibration/README.md "Held-out validation, round 22", its known gap.)
//
// One worker, `worker_connections 10`: its listening socket and channel take 2, each tunnel 2 (the
// client's connection and its upstream one). Eight upgrades (GET /ws, Upgrade: websocket; no
// traffic, `mode idle`) 100 ms apart from 0.5 s, each closed by the client at 4.5 s: the first four
// take the eight free connections, the last four meet a full worker. The client does not reconnect.
// Twin calibration/scenarios/nginx-holdout22-ws-wc10-reset.yaml, predictions
// calibration/data/holdout22b-predictions.json (with the old model's figures in
// holdout22b-old-model-predictions.json), committed before the run was recorded; the comparison is
// test/calibration/holdout22.test.ts.
//
//   flock /work/wt/calib.lock node calibration/nginx/run.mjs --only nginx-holdout22 --rt 10

const wsWorkerFullRun = {
  name: 'nginx-holdout22-ws-wc10-reset',
  description:
    'worker_connections 10, worker_processes 1 (one listening socket): 8 WebSocket upgrades (GET /ws, idle tunnels) ' +
    '100 ms apart from 0.5 s, each closed by the client at 4.5 s, no reconnect: the first 4 take the 8 free ' +
    'connections; what the last 4 read when nginx accepts them with none left (reset, EOF or a status).',
  seconds: 6,
  nginx: { workers: 1, workerConnections: 10 },
  client: {
    endMs: 5500,
    groups: Array.from({ length: 8 }, (_, i) => ({
      kind: 'tunnel',
      id: `w${i}`,
      mode: 'idle',
      intervalMs: 0,
      startMs: 500 + 100 * i,
      closeAtMs: 4500,
    })),
  },
  summarise: (data) => ({
    tunnels: data.clientEvents
      .filter((e) => e.ev === 'tun-open' || e.ev === 'tun-close')
      .map((e) => [e.id, e.s, e.ev, e.status ?? e.how]),
    errorLog: Object.fromEntries(Object.entries(data.errorLogCounts).filter(([k]) => !k.startsWith('[notice]'))),
  }),
};

export const HOLDOUT22_EXPERIMENTS = [wsWorkerFullRun];
