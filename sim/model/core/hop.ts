import type { Status } from './app-job.js';
import type { Conn } from './conn.js';
import type { EndKind } from './flow-tcp.js';
import type { Req } from './request.js';
import type { ErrorKind } from './series.js';

/**
 * The only interfaces between tiers: what a tier offers the one in front of it (upstream) and
 * what it calls back (downstream). Clients see a balancer and a proxy only through these; an LB
 * pool of upstreams or a second proxy tier is composition in topology.ts, not edits in the tiers.
 * They are plain method calls on preallocated objects: a hop costs no allocation and no event.
 */

/** Connection-level: a client opens a TCP flow through the L4 balancer. */
export interface FlowUpstream {
  connect(conn: Conn, downstream: FlowDownstream): void;
  /**
   * A client packet on an open flow reaches the balancer. False when the balancer forgot the
   * flow: it answered with RST and the flow has ended.
   */
  forwardsClientPacket(conn: Conn): boolean;
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
  /** The proxy keeps the connection open after the response just delivered. */
  keepsAlive(conn: Conn): boolean;
  /** The proxy will close the idle connection after this many seconds if the next request comes after `think` s; -1: it waits. */
  idleCloseAfter(conn: Conn, think: number): number;
  /** The proxy closes the connection `delay` s from now (it closes first). */
  closeIdle(conn: Conn, delay: number): void;
  /**
   * The client gave up on the request in flight on `conn` (its request timeout) and closes the
   * connection. True when the server end still held the request and hears the client's FIN; false
   * when nothing there will (its host vanished, or the request was already lost on the way).
   */
  abandon(conn: Conn): boolean;
  /**
   * The client's connection is established and its request comes later (clients.http.reconnect
   * eager): the server end accepts it now (nginx: proxy/client-conns.ts waiting). Absent: nothing
   * happens before the request.
   */
  waiting?(conn: Conn): void;
}

/** Where a response goes (the proxy's client side, or the client itself). */
export interface ResponseSink {
  /** The response for `conn`'s request; the client sees it one half-RTT later. */
  respond(conn: Conn, status: Status): void;
}

export interface HttpDownstream extends ResponseSink {
  /** No answer will come: the client waits for its request timeout (already running since it sent). */
  noAnswer(conn: Conn): void;
  /** The proxy closed the idle connection (or, its host gone, would have). */
  closedByServer(conn: Conn): void;
  /**
   * The proxy closed the idle connection as the client was sending its next request on it (the
   * keepalive race, proxy/nginx.ts requestCrossesFin): the request meets a closed socket and RST.
   */
  crossedFin(conn: Conn): void;
  /** The server side ended the connection under an idle (`inFlight` false) or waiting client. */
  serverGone(conn: Conn, how: EndKind, inFlight: boolean): void;
  /**
   * The L7 balancer closed the connection (FIN) under the request in flight without a response
   * (HAProxy abort_keep_alive), its end of the connection already closed.
   */
  closedUnanswered(conn: Conn): void;
}

/** Request-level (open loop): a balancer takes one attempt of an independent request. */
export interface RequestUpstream {
  send(req: Req): void;
  /** The client gave up on the attempt (its timeout) and closed its connection. */
  abandon(req: Req): void;
}

export interface RequestDownstream {
  /** The attempt's answer reached the client (`b`: the backend it came from, -1: none). */
  answered(req: Req, status: Status, b: number): void;
  /**
   * The connection failed and no proxy turned it into a status: the client sees `kind` — its own
   * SYN's errno behind a NAT, EOF ("socket hang up", ECONNRESET) from an L4 proxy that had accepted it.
   */
  connectFailed(req: Req, kind: ErrorKind, b: number): void;
  /**
   * An L7 balancer closed the client's connection under the attempt without any response
   * (HAProxy abort_keep_alive: a later request of a keep-alive connection whose server connection
   * failed, src/http_ana.c http_wait_for_response()): the client reads EOF.
   */
  closedSilently(req: Req, b: number): void;
}

/** WsUpstream.handshake(): the upgrade was answered 101 and the session runs. */
export const UPGRADED = -1;

/** WebSocket: the upgrade through nginx to the app, and the tunnel's server end. */
export interface WsUpstream {
  /**
   * Upgrade an established flow: UPGRADED, or refused — the connection is then closed — with the
   * error its client reads: HTTP_5XX for a 5xx answer (`ws`: "Unexpected server response: 503"),
   * ECONNRESET for nginx's close at its accept (worker_connections full: EOF or RST before any answer).
   */
  handshake(conn: Conn): ErrorKind | typeof UPGRADED;
  /** The client found the tunnel reset (the LB forgot the flow): its server end goes too. */
  tunnelGone(conn: Conn): void;
}

/**
 * Where the client's TLS ends on a CPU queue (nginx's worker or the balancer's thread holding the
 * connection, proxy/worker-cpu.ts): nothing the client sends after its handshake is read before
 * the handshake itself is done — and before the client's Finished and that data have come back
 * a round trip after the server's flight (RFC 8446 §2), in nginx and at the balancer. TLS ending in a bare app is not
 * asked here (app/loop-tls.ts, AppServer.submitAfterHandshake).
 */
export interface TlsHandshakes {
  /**
   * Seconds until `conn`'s client sends what follows its handshake (its WebSocket upgrade): the
   * handshake's work done and one round trip (`clients.rtt`) more for the client's Finished, two
   * after a full TLS 1.2 handshake, in nginx and at the balancer alike (worker-cpu.ts
   * roundTripAfter; both read the ClientHello when it comes with the final ACK). 0: done
   * already, or no CPU model where TLS ends.
   */
  doneIn(conn: Conn): number;
  /** Non-zero while `conn` is not yet in nginx's accept queue (its final ACK dropped on a full queue). */
  awaitingAdmission(conn: Conn): number;
  /** Run `resume` once `conn` gets into the accept queue, or `reset` if the listener resets it first (RST). */
  whenAdmitted(conn: Conn, resume: (conn: Conn) => void, reset: (conn: Conn) => void): void;
}

export interface WsDownstream {
  /**
   * The upgrade the session started on was refused after all, when it was read (a bare event
   * loop's full queue answered 503 after the TLS handshake): the client reads `kind` and backs off.
   */
  upgradeRefused(conn: Conn, kind: ErrorKind, b: number): void;
  /** The server closed the session with 1001 or 1006; a user's own 1000 is not reported. */
  closedByServer(conn: Conn): void;
  /** The server end is gone: FIN or RST arrives now, or nothing ever (`EndKind.SILENT`). */
  serverGone(conn: Conn, how: EndKind): void;
  /** The LB forgot the flow: the client learns at its next packet. */
  flowForgotten(conn: Conn): void;
  /** The client's packet sent now (a ping, or its Close as its user leaves) meets the balancer's RST. */
  resetAtSend(conn: Conn): void;
  /** When the client's first ping after `t` goes out (∞: it sends none). */
  pingAfter(conn: Conn, t: number): number;
  /**
   * After the server's Close frame the client answers and sends its FIN at once, before the server
   * closes TCP (Node's `ws`); false: it waits for the server's FIN (a browser). clients/ws-library.ts.
   */
  readonly finFirstAfterServerClose: boolean;
}
