import type { Status } from './app-job.js';
import type { Conn } from './conn.js';
import type { ErrorKind } from './series.js';
import type { Req } from './request.js';
import type { EndKind } from './flow-tcp.js';

/**
 * The only interfaces between tiers: what a tier offers the one in front of it (upstream) and
 * what it calls back (downstream). Clients see a balancer and a proxy only through these; an LB
 * pool of upstreams or a second proxy tier is composition in topology.ts, not edits in the tiers.
 * They are plain method calls on preallocated objects: a hop costs no allocation and no event.
 */

/** Connection-level: a client opens a TCP flow through the L4 balancer. */
export interface FlowUpstream {
  connect(conn: Conn, downstream: FlowDownstream): void;
}

export interface FlowDownstream {
  /** The flow is established on `conn.backend`; called one RTT after the SYN. */
  connected(conn: Conn): void;
  /** No backend could take the connection; the client sees `kind`. */
  connectFailed(conn: Conn, kind: ErrorKind, backend: number): void;
}

/** Connection-level: the proxy at the end of an established flow takes one HTTP request. */
export interface HttpUpstream {
  handle(conn: Conn): void;
}

export interface HttpDownstream {
  /** The proxy has the response for `conn`'s request; the client sees it one half-RTT later. */
  respond(conn: Conn, status: Status): void;
}

/** Request-level (open loop): a balancer takes one attempt of an independent request. */
export interface RequestUpstream {
  send(req: Req): void;
}

export interface RequestDownstream {
  /** The attempt's answer reached the client (`b`: the backend it came from, -1: none). */
  answered(req: Req, status: Status, b: number): void;
  /** The connection failed and no proxy turned it into a status: the client sees the errno itself. */
  connectFailed(req: Req, vanished: boolean, b: number): void;
}

/** WebSocket: the upgrade through nginx to the app, and the tunnel's server end. */
export interface WsUpstream {
  /** Upgrade an established flow; false when refused (the connection is then closed). */
  handshake(conn: Conn): boolean;
  /** The client found the tunnel reset (the LB forgot the flow): its server end goes too. */
  tunnelGone(conn: Conn): void;
}

export interface WsDownstream {
  /** The server closed the session with 1001 or 1006; a user's own 1000 is not reported. */
  closedByServer(conn: Conn): void;
  /** The server end is gone: FIN or RST arrives now, or nothing ever (`EndKind.SILENT`). */
  serverGone(conn: Conn, how: EndKind): void;
  /** The LB forgot the flow: the client learns at its next packet. */
  flowForgotten(conn: Conn): void;
}
