import type { Metrics, SeriesId } from '../../metrics/metrics.js';

/**
 * The counters of the model, defined once. Gauges are defined in world.ts because they read
 * the model's state. Counter semantics are documented in the README's timeline.csv table.
 */
export interface Counters {
  newConn: SeriesId;
  closedFin: SeriesId;
  resetOut: SeriesId;
  resetIn: SeriesId;
  requests: SeriesId;
  responses2xx: SeriesId;
  responses5xx: SeriesId;
  requestsFailed: SeriesId;
  retries: SeriesId;
  errors: SeriesId;
  errEconnreset: SeriesId;
  errEtimedout: SeriesId;
  errClientTimeout: SeriesId;
  errEconnrefused: SeriesId;
  errEhostunreach: SeriesId;
  errEaddrnotavail: SeriesId;
  lbEaddrnotavail: SeriesId;
  upstreamEaddrnotavail: SeriesId;
  ws1006: SeriesId;
  ws1001: SeriesId;
  ws1000: SeriesId;
  reconnects: SeriesId;
  wsMovedAgain: SeriesId;
  upstreamConnects: SeriesId;
  synDrops: SeriesId;
  twReused: SeriesId;
  twReopened: SeriesId;
  twOverflow: SeriesId;
  pauses: SeriesId;
  offered: SeriesId;
  attempts: SeriesId;
  goodput: SeriesId;
  req5xx: SeriesId;
  reqTimeouts: SeriesId;
  reqFailed: SeriesId;
  wasted: SeriesId;
  checkFailures: SeriesId;
  removals: SeriesId;
  readds: SeriesId;
  sessionsLost: SeriesId;
  restarts: SeriesId;
  lbConnsOpened: SeriesId;
  lbConnsReused: SeriesId;
}

export function defineCounters(m: Metrics): Counters {
  return {
    newConn: m.counter('new_conn', 'conn', 'New flows the LB sent to the backend'),
    closedFin: m.counter('closed_fin', 'conn', 'Client connections that ended with an orderly FIN close'),
    resetOut: m.counter(
      'reset_out',
      'RST',
      "RSTs sent to clients (LB answering a forgotten flow, a reset passed on, nginx's reset at its accept with worker_connections full and the request already in, a listener's reset of a connection it never admitted)",
    ),
    resetIn: m.counter('reset_in', 'RST', 'RSTs between the LB and the backend (either direction)'),
    requests: m.counter('requests', 'req', 'HTTP requests sent by clients (retries included)'),
    responses2xx: m.counter('responses_2xx', 'req', 'Requests answered with 2xx'),
    responses5xx: m.counter(
      'responses_5xx',
      'req',
      "Requests answered with 5xx by nginx or the app, and WebSocket upgrades answered 5xx (by nginx, the app, or in l7 HAProxy's own 502/503), which `requests` does not count",
    ),
    requestsFailed: m.counter('requests_failed', 'req', 'Requests that failed after all client retries'),
    retries: m.counter('retries', 'req', 'Client retries of failed requests'),
    errors: m.counter('errors', 'err', 'Client-visible errors of any kind (each attempt)'),
    errEconnreset: m.counter('err_econnreset', 'err', 'Client errors ECONNRESET (104)'),
    errEtimedout: m.counter(
      'err_etimedout',
      'err',
      "Client errors ETIMEDOUT (110): the client machine's kernel gave up on its connection (SYN retries exhausted, tcp_retries2 past on a request or ping to a vanished host: net/ipv4/tcp_timer.c tcp_write_timeout → tcp_write_err)",
    ),
    errClientTimeout: m.counter(
      'err_client_timeout',
      'err',
      "Client errors of the client's own timer, not an errno: its request timeout (clients.http.request_timeout, clients.requests.timeout), connect timeout behind a NAT (lb.connect_timeout), WebSocket handshake or pong timeout expired first (curl exit 28 'Operation timed out', Go 'Client.Timeout exceeded', axios ECONNABORTED, Node's TimeoutError)",
    ),
    errEconnrefused: m.counter('err_econnrefused', 'err', 'Client errors ECONNREFUSED (111)'),
    errEhostunreach: m.counter(
      'err_ehostunreach',
      'err',
      "Client errors EHOSTUNREACH (113, No route to host): a deleted pod's address under a bridge CNI",
    ),
    errEaddrnotavail: m.counter(
      'err_eaddrnotavail',
      'err',
      'Client errors EADDRNOTAVAIL (99): no free port on the client machine towards the balancer',
    ),
    upstreamEaddrnotavail: m.counter(
      'upstream_eaddrnotavail',
      'conn',
      "nginx's connects to the app that found no port on the VM (EADDRNOTAVAIL, 99; the client gets 502)",
    ),
    lbEaddrnotavail: m.counter(
      'lb_eaddrnotavail',
      'err',
      "The proxying balancer's connects to the backend that found no source port on its host (EADDRNOTAVAIL, 99)",
    ),
    ws1006: m.counter('ws_close_1006', 'session', 'WebSocket sessions that ended without a Close frame (1006)'),
    ws1001: m.counter('ws_close_1001', 'session', 'WebSocket sessions closed by the server with 1001 Going Away'),
    ws1000: m.counter('ws_close_1000', 'session', 'WebSocket sessions closed normally by the user (1000)'),
    reconnects: m.counter('reconnects', 'session', 'WebSocket reconnect attempts'),
    wsMovedAgain: m.counter(
      'ws_moved_again',
      'session',
      'WebSocket users whose session the server side closed (1001 or 1006) a second time: moved more than once',
    ),
    upstreamConnects: m.counter('upstream_connects', 'conn', 'New nginx → app connections'),
    synDrops: m.counter(
      'syn_drops',
      'SYN',
      "SYNs, and final ACKs of handshakes, the VM's kernel dropped because a listen queue was full (ListenOverflows): the app's accept queue, or nginx's :443 when its workers are busy with TLS handshakes (there a retransmitted ACK counts again)",
    ),
    twReused: m.counter(
      'tw_reused',
      'conn',
      'connect()s that took over a TIME_WAIT 4-tuple of their own host (tcp_twsk_unique, tcp_tw_reuse)',
    ),
    twReopened: m.counter(
      'tw_reopened',
      'conn',
      'SYNs that reopened a TIME_WAIT 4-tuple held by the VM (tcp_timewait_state_process TCP_TW_SYN)',
    ),
    twOverflow: m.counter('tw_overflow', 'conn', 'Closes that skipped TIME_WAIT (tcp_max_tw_buckets reached)'),
    pauses: m.counter('pauses', 'pause', 'Stop-the-world pauses of the app (GC, CPU starvation)'),
    offered: m.counter('offered', 'req', 'Open-loop requests users asked for (retries not included)'),
    attempts: m.counter(
      'attempts',
      'req',
      'Open-loop request attempts sent to a backend (LB and client retries included)',
    ),
    goodput: m.counter('goodput', 'req', 'Open-loop requests answered 2xx before the client gave up'),
    req5xx: m.counter('req_5xx', 'req', 'Open-loop attempts answered with a 5xx (by the app or the LB)'),
    reqTimeouts: m.counter('req_timeouts', 'req', 'Open-loop attempts the client gave up on (timeout)'),
    reqFailed: m.counter('req_failed', 'req', 'Open-loop requests that failed after all retries'),
    wasted: m.counter('wasted', 'req', 'Work served after its caller had given up (stale queue entries)'),
    checkFailures: m.counter('check_failures', 'check', 'Failed health checks / probes'),
    removals: m.counter('removals', 'event', 'Backends marked DOWN / not ready (health flaps down)'),
    readds: m.counter('readds', 'event', 'Backends marked UP / ready again'),
    sessionsLost: m.counter(
      'sessions_lost',
      'session',
      'User sessions lost (in-memory state on a backend that died or was left)',
    ),
    restarts: m.counter('restarts', 'event', 'App restarts (liveness probe failures, rollouts)'),
    lbConnsOpened: m.counter(
      'lb_conns_opened',
      'conn',
      'lb.mode l7: connections the balancer established to the server (its connects that succeeded; HAProxy counts attempts as `connect` in show stat)',
    ),
    lbConnsReused: m.counter(
      'lb_conns_reused',
      'req',
      'lb.mode l7: requests the balancer sent over an idle server connection instead of connecting (http-reuse; HAProxy `reuse` in show stat)',
    ),
  };
}

/** Client error kinds and their counters. */
export const ErrorKind = {
  ECONNRESET: 0,
  ETIMEDOUT: 1,
  ECONNREFUSED: 2,
  EADDRNOTAVAIL: 3,
  HTTP_5XX: 4,
  EHOSTUNREACH: 5,
  /**
   * The client's own timer expired (a request, connect, WebSocket handshake or pong timeout): the
   * library's error, not the kernel's errno — curl exit 28 "Operation timed out after N
   * milliseconds", Go's "Client.Timeout exceeded while awaiting headers", axios ECONNABORTED
   * "timeout of Nms exceeded", Node's AbortSignal.timeout() TimeoutError. ETIMEDOUT stays the
   * kernel's give-up (net/ipv4/tcp_timer.c: tcp_write_timeout → tcp_write_err after the SYN
   * retries or tcp_retries2).
   */
  CLIENT_TIMEOUT: 6,
} as const;
export type ErrorKind = (typeof ErrorKind)[keyof typeof ErrorKind];

/** The counter of an errno-style client error, or -1 for a 5xx (counted as a response). */
export function errnoCounter(c: Counters, kind: ErrorKind): SeriesId {
  switch (kind) {
    case ErrorKind.ECONNRESET:
      return c.errEconnreset;
    case ErrorKind.ETIMEDOUT:
      return c.errEtimedout;
    case ErrorKind.CLIENT_TIMEOUT:
      return c.errClientTimeout;
    case ErrorKind.ECONNREFUSED:
      return c.errEconnrefused;
    case ErrorKind.EADDRNOTAVAIL:
      return c.errEaddrnotavail;
    case ErrorKind.EHOSTUNREACH:
      return c.errEhostunreach;
    default:
      return -1;
  }
}

/** WebSocket close codes the counters tell apart (RFC 6455 §7.4.1; 1006 is "closed without a Close frame"). */
export function wsCloseCounter(c: Counters, code: number): SeriesId {
  return code === 1000 ? c.ws1000 : code === 1001 ? c.ws1001 : c.ws1006;
}
