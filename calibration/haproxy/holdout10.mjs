// Held-out HAProxy run, round 10 (session 21, hold10): `retry-on 500 502 503 504`, which no round
// recorded. `retry-on` replaces the default `conn-failure` (doc/configuration.txt "retry-on":
// "conn-failure ... This is the default"), so a refused connect to a killed server is not retried
// or redispatched: back_handle_st_cer() (src/backend.c) gives up at once when the backend's
// retry_type lacks PR_RE_CONN_FAILED, and the client gets a 503. The twin
// (calibration/scenarios/haproxy-holdout10-kill-retryon5xx-3srv-http.yaml) and its prediction
// (calibration/data/holdout10-predictions.json, a table over HAProxy's start before t0,
// `lb.uptime`) were committed before the run was recorded; the comparison is
// test/calibration/holdout10.test.ts.
import { heldOut, killThenRestart, LOG_CHECKS, THREE_SERVERS } from './holdout-common.mjs';

/**
 * Round 7's kill of s2 under `retries 3` + `option redispatch` (haproxy-holdout7-kill-redispatch-3srv-http:
 * no client error, 53 redispatched streams) with `retry-on 500 502 503 504` added: every stream
 * whose turn is the dead s2 ends 503 until the checks (inter 1500ms fall 2) mark it DOWN.
 */
const killRetryOn5xx = heldOut({
  name: 'haproxy-holdout10-kill-retryon5xx-3srv-http',
  description:
    'mode http, `retries 3`, `option redispatch`, `retry-on 500 502 503 504`, 3 servers roundrobin, `inter 1500ms ' +
    'fall 2 rise 2`: 60 req/s over 12 keep-alive connections; kill -9 s2 at 5 s, restart at 11 s: errors, ' +
    'redispatched streams, DOWN and UP.',
  mode: 'http',
  redispatch: true,
  seconds: 16,
  servers: THREE_SERVERS,
  serverOptions: 'inter 1500ms fall 2 rise 2',
  backendLines: ['retry-on 500 502 503 504', LOG_CHECKS],
  requests: { rate: 60, connections: 12 },
  actions: killThenRestart('s2', 5, 11),
});

export const HOLDOUT10_EXPERIMENTS = [killRetryOn5xx];
