import type { HostSockets } from '../../net/host-sockets.js';
import type { AppJob } from './app-job.js';

/** An upstream connection nginx → app (one per request without keepalive, pooled with it). */
export interface UpstreamConn {
  /** nginx's local ephemeral port towards the app. */
  port: number;
  /** The VM kernel holding both ends (a rebuilt VM's new kernel does not know this connection). */
  host: HostSockets;
  /** nginx's connecting pair and the app's accepting pair on that kernel. */
  pair: number;
  appPair: number;
  requests: number;
  idleSince: number;
  /** When nginx connected it (c->start_time, ngx_event_connect_peer): keepalive_time counts from here. */
  openedAt: number;
  /** The nginx worker generation whose worker holds it (its keepalive cache is per worker). */
  nginxGen: number;
  /** That worker (its index in the generation): only its own requests reuse the connection. */
  worker: number;
  /**
   * The peer (index in `nginx.upstream_addresses`; 0 with one) it connects to: a cached connection
   * serves only a try on the same address (proxy/upstream.ts takeCached).
   */
  peer: number;
}

/**
 * The HTTP/1.1 exchange in flight on a keep-alive flow (at most one at a time) and the client's
 * progress through its requests. It is the job the app serves.
 */
export interface HttpExchange extends AppJob {
  requestsLeft: number;
  /** Requests served on the current connection (nginx's keepalive_requests counts these). */
  requestsServed: number;
  requestStartedAt: number;
  /** Attempt number of the current logical request (0 = first try). */
  attempt: number;
  /** SYNs sent so far for the current upstream connect (accept-queue drops). */
  synAttempt: number;
  upstream: UpstreamConn | null;
}

/** Why a session ends (RFC 6455 §7.4.1): the user left, the server goes away, no Close frame. */
export const WsClose = { NORMAL: 1000, GOING_AWAY: 1001, ABNORMAL: 1006 } as const;

/** A WebSocket session on a flow: the user's intent, the drain notice received, the session start. */
export interface WsSession {
  sessionEndsAt: number;
  /** retryAfter of a drain notice received in this session (NO_RETRY_AFTER: none). */
  retryAfter: number;
  /** When the current WebSocket session was established (-1: none). */
  sessionStartedAt: number;
  upstream: UpstreamConn | null;
}
