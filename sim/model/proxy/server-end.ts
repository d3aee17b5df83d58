import type { Status } from '../core/app-job.js';
import type { Conn } from '../core/conn.js';
import { LbFlow } from '../core/flow.js';
import type { HttpDownstream, ResponseSink } from '../core/hop.js';
import { EndKind, type World } from '../core/world.js';
import { requestCrossesFin } from './nginx.js';

/** What a server's packets see of an L4 NAT's connection table (lb/nat-idle.ts NatIdleTable). */
export interface PacketWatch {
  /** The flow's entry timed out: it is now FORGOTTEN. */
  expired(conn: Conn): boolean;
  /** A packet crossed: the entry's idle timer restarts. */
  seen(conn: Conn): void;
}

/** The client end of an answer nginx closes the connection right behind (client-conns.ts respondClosing). */
export interface AnsweredThenClosed {
  /** The response for `conn`'s request, then nginx's FIN: nginx closed first; the client's next request needs a new connection. */
  respondThenClosed(conn: Conn, status: Status): void;
}

/** nginx's client side as the request path (upstream.ts) answers through it. */
export interface NginxResponseSink extends ResponseSink {
  /** An error of nginx's own that ends keep-alive: the response, then nginx closes the connection. */
  respondClosing(conn: Conn, status: Status): void;
}

/**
 * What ends a client's own keep-alive connection on a VM does with it — nginx (client-conns.ts) or
 * a bare app server (app/bare-client-conns.ts) alike: write a response, close it idle.
 */

/**
 * The server end writes the response for `conn`'s request. A flow the balancer forgot (or a NAT
 * entry that timed out while the app worked) makes the balancer reset the server's side
 * (`reset` is told first, to log it); the client keeps waiting for an answer that never comes.
 */
export function writeResponse(
  w: World,
  sink: HttpDownstream,
  nat: PacketWatch,
  conn: Conn,
  status: Status,
  reset?: (b: number) => void,
): void {
  if (nat.expired(conn) || conn.lbFlow === LbFlow.FORGOTTEN) {
    const b = conn.backend;
    w.metrics.inc(w.c.resetIn, b);
    reset?.(b);
    w.dropServerEnd(conn, true);
    sink.noAnswer(conn);
    return;
  }
  nat.seen(conn);
  sink.respond(conn, status);
}

/**
 * The server end of a client's own keep-alive connection closes it idle now — nginx's
 * keepalive_timeout (proxy/client-conns.ts) or a bare app server's (app/bare-client-conns.ts) —
 * with a plain close(), a FIN: on a vanished host nothing is sent (the client learns at its next
 * request); a FIN after the NAT forgot the idle flow meets no entry and is answered RST, the
 * client not told; a next request already on its way crosses the FIN and meets the closed socket
 * (the keepalive race, requestCrossesFin); otherwise the client reads the FIN and the server's
 * host holds the TIME_WAIT.
 */
export function serverClosesIdle(w: World, sink: HttpDownstream, nat: PacketWatch, conn: Conn): void {
  if (!w.backends[conn.backend].hostUp) {
    sink.closedByServer(conn);
    return;
  }
  nat.expired(conn);
  if (
    conn.lbFlow === LbFlow.TRACKED &&
    conn.requestsLeft > 0 &&
    requestCrossesFin(conn.lastActivity, w.now, w.scenario.clients.rtt)
  ) {
    sink.crossedFin(conn);
    return;
  }
  if (conn.lbFlow === LbFlow.FORGOTTEN) {
    w.metrics.inc(w.c.resetIn, conn.backend);
    w.dropServerEnd(conn, true);
  } else w.end(conn, EndKind.SERVER_FIN);
  sink.closedByServer(conn);
}
